import CivicDomain
import CivicProtos
import CivicRepositories
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Logging
import Testing

/// A published catalogue version when the contract covering it at a social organisation ends
/// (docs/CONTRACTS.md, "When a contract ends"), against a scratch PostgreSQL database: the
/// catalogue reads show it suspended naming the contract and its last day, intake is refused
/// up front without writing a case, a new contract lifts it, and the purchasing unit is told
/// once, working days before the end.
@Suite("Service purchase contracts: when a contract ends", .serialized, .timeLimit(.minutes(5)))
struct ContractEndTests {
  /// `home-care`'s published version as GetItem and ListItems show it.
  static func published(_ f: CaseFixture) async throws -> (get: Civicgrid_V1_ItemVersion?, list: Civicgrid_V1_ItemVersion?) {
    var get = Civicgrid_V1_GetItemRequest()
    get.code = "home-care"
    let item = try await f.call(f.clerk) { try await f.catalog.getItem(request: get, context: $0) }
    let list = try await f.call(f.clerk) { try await f.catalog.listItems(request: Civicgrid_V1_ListItemsRequest(), context: $0) }
    return (
      item.versions.first { $0.status == .published },
      list.items.first { $0.code == "home-care" }?.versions.first { $0.status == .published }
    )
  }

  static func submit(_ f: CaseFixture) async throws -> Civicgrid_V1_Case {
    var request = f.application("home-care")
    request.providedMaterials = []
    return try await f.call(f.clerk) { try await f.cases.submitApplication(request: request, context: $0) }
  }

  static func caseCount(_ f: CaseFixture) async throws -> Int64 {
    try await f.pool.query("SELECT count(*) FROM cases", []).scalar(Int64.self) ?? -1
  }

  /// Adds organisation SO2 and publishes `home-care` (a stage at SO2) under a contract of it
  /// covering the item from 2020-01-01 to `endsOn`; returns that contract.
  static func publishedUnderContract(_ f: DisputeFixture, _ contracts: ContractsService, endsOn: String) async throws -> Civicgrid_V1_Contract {
    _ = try await ContractsTests.organisation(f)
    try await ContractsTests.draftOrganisationItem(f.base)
    let contract = try await ContractsTests.create(ContractsTests.terms(["home-care"], "2020-01-01", endsOn), contracts, f.base)
    try await ContractsTests.publishOrganisationItem(f.base)
    return contract
  }

  /// Noon (district time) on `day`.
  static func noon(_ day: CivilDate) -> Instant { Instant(secondsSinceEpoch: day.daysSinceEpoch * 86_400 + 4 * 3600) }

  @Test("ended early yesterday: GetItem and ListItems show the published version suspended naming the contract and its last day; intake is FAILED_PRECONDITION naming the rule, item and contract, with no case written; a new contract lifts it")
  func suspendedAndLifted() async throws {
    try await DisputeFixture.with { f in
      let contracts = ContractsService(store: f.base.pool)
      let today = ContractChangesTests.today
      let first = try await Self.publishedUnderContract(f, contracts, endsOn: "2199-12-31")
      let open = try await Self.published(f.base)
      #expect(open.get != nil && open.get?.hasContractSuspension == false && open.list?.hasContractSuspension == false)
      _ = try await Self.submit(f.base)

      let yesterday = today.adding(days: -1)
      let request = ContractChangesTests.end(first, lastDay: yesterday)
      _ = try await f.base.call(f.base.admin) { try await contracts.endContract(request: request, context: $0) }
      let reason =
        "service purchase contract (政府购买服务): item home-care may not be assigned to organisation SO2: contract \(first.id) covering "
        + "the item was ended early, its last day \(yesterday); intake of item home-care is suspended until a contract covers it again"
      let shown = try await Self.published(f.base)
      for version in [shown.get, shown.list] {
        let suspension = try #require(version?.contractSuspension)
        #expect(version?.status == .published, "the stored status stays published: the suspension is computed")
        #expect(suspension.organisationUnitCode == "SO2" && suspension.contractNumber == first.id && suspension.endedOn == yesterday.description)
        #expect(suspension.reason == reason, "\(suspension.reason)")
      }

      let before = try await Self.caseCount(f.base)
      let refused = await rpcCode { _ = try await Self.submit(f.base) }
      #expect(refused?.0 == .failedPrecondition && refused?.1 == reason, "\(String(describing: refused))")
      #expect(try await Self.caseCount(f.base) == before, "no case row was written")

      _ = try await ContractsTests.create(ContractsTests.terms(["home-care"], today.description, "2199-12-31"), contracts, f.base)
      let lifted = try await Self.published(f.base)
      #expect(lifted.get?.hasContractSuspension == false && lifted.list?.hasContractSuspension == false)
      let accepted = try await Self.submit(f.base)
      #expect(!accepted.id.isEmpty)
      #expect(try await Self.caseCount(f.base) == before + 1)
    }
  }

  @Test("the purchasing unit is alerted once, within the notice's working days before the last covering contract ends; not earlier, not again, not when a successor covers the item")
  func alertedOnceBeforeTheEnd() async throws {
    try await DisputeFixture.with { f in
      let contracts = ContractsService(store: f.base.pool)
      let today = ContractChangesTests.today
      let endsOn = today.adding(days: 30)
      let ending = try await Self.publishedUnderContract(f, contracts, endsOn: endsOn.description)
      let watch = ContractEndWatch(store: f.base.pool, noticeWorkingDays: 5)

      #expect(try await watch.pass(at: Self.noon(today)) == 0, "30 days ahead is before the notice")
      // The sweeper runs the watch on its passes, on its own clock.
      let eve = Self.noon(endsOn.adding(days: -1))
      let sweeper = WarningSweeper(store: f.base.pool, logger: Logger(label: "test"), now: { eve })
      #expect(try await sweeper.sweep().contractEndings == 1)
      #expect(try await watch.pass(at: eve) == 0)
      #expect(try await watch.pass(at: Self.noon(endsOn)) == 0, "recorded once")
      let alerts = try await f.base.pool.query(
        "SELECT unit_id, summary FROM supervision_alerts WHERE kind = 'contractEnding'", []
      ).decode((Int64, String).self)
      #expect(alerts.count == 1)
      #expect(alerts.first?.0 == f.units["D01"]!.id, "to the purchaser")
      #expect(alerts.first?.1.hasPrefix("contract \(ending.id) with SO2 ends \(endsOn) and no other contract covers item home-care") == true)

      // A successor from the day after: no notice for the contract it follows.
      let laterEnd = today.adding(days: 60)
      _ = try await ContractsTests.create(ContractsTests.terms(["home-care"], "2020-01-01", laterEnd.description), contracts, f.base)
      _ = try await ContractsTests.create(ContractsTests.terms(["home-care"], laterEnd.adding(days: 1).description, "2199-12-31"), contracts, f.base)
      #expect(try await watch.pass(at: Self.noon(laterEnd.adding(days: -1))) == 0)
    }
  }

  @Test("ListItems shows the published version beside a newer draft, so a draft cannot hide the published version's suspension; the batch read of a page agrees with GetItem")
  func listShowsPublishedBesideDraft() async throws {
    try await DisputeFixture.with { f in
      let contracts = ContractsService(store: f.base.pool)
      let contract = try await Self.publishedUnderContract(f, contracts, endsOn: "2199-12-31")
      var get = Civicgrid_V1_GetItemRequest()
      get.code = "home-care"
      let current = try await f.base.call(f.base.admin) { try await f.base.catalog.getItem(request: get, context: $0) }
      var draft = Civicgrid_V1_SaveDraftRequest()
      draft.definition = CaseFixture.oneStageItem("home-care", name: "Home care for the elderly, revised", units: ["CIVIL", "SO2"])
      draft.expectedItemVersion = current.version
      _ = try await f.base.call(f.base.admin) { try await f.base.catalog.saveDraft(request: draft, context: $0) }
      let end = ContractChangesTests.end(contract, lastDay: ContractChangesTests.today.adding(days: -1))
      _ = try await f.base.call(f.base.admin) { try await contracts.endContract(request: end, context: $0) }

      let list = try await f.base.call(f.base.clerk) { try await f.base.catalog.listItems(request: Civicgrid_V1_ListItemsRequest(), context: $0) }
      let item = try #require(list.items.first { $0.code == "home-care" })
      #expect(item.versions.map(\.version) == [1, 2] && item.versions.map(\.status) == [.published, .draft], "\(item.versions)")
      #expect(item.versions.first?.contractSuspension.organisationUnitCode == "SO2" && item.versions.last?.hasContractSuspension == false)
      // Items without a newer draft still show their one latest version.
      #expect(list.items.filter { $0.code != "home-care" }.allSatisfy { $0.versions.count == 1 })
      // The same page read item by item (GetItem) agrees on every version shown.
      for listed in list.items {
        var get = Civicgrid_V1_GetItemRequest()
        get.code = listed.code
        let full = try await f.base.call(f.base.clerk) { try await f.base.catalog.getItem(request: get, context: $0) }
        for version in listed.versions {
          #expect(full.versions.first { $0.version == version.version }?.definition == version.definition, "\(listed.code) v\(version.version)")
        }
      }
    }
  }

  @Test("the coverage of several items read in one call: per item, its social organisations with whether each contract's scope holds that item; other units and items dispatching to none left out")
  func coverageOfSeveralItems() async throws {
    try await DisputeFixture.with { f in
      let contracts = ContractsService(store: f.base.pool)
      _ = try await Self.publishedUnderContract(f, contracts, endsOn: "2199-12-31")
      let coverage = try await f.base.pool.withConnection { connection in
        try await ContractRepository(connection).coverage(["home-care": ["SO2", "CIVIL", "SO2"], "DISPUTE": ["SO2"], "other": ["CIVIL"]])
      }
      #expect(Set(coverage.keys) == ["home-care", "DISPUTE"], "\(coverage)")
      #expect(coverage["home-care"]?.keys.sorted() == ["SO2"] && coverage["DISPUTE"]?.keys.sorted() == ["SO2"])
      #expect(coverage["home-care"]?["SO2"]?.map(\.coversItem) == [true], "\(coverage)")
      #expect(coverage["DISPUTE"]?["SO2"]?.map(\.coversItem) == [false], "\(coverage)")
      let day = ContractChangesTests.today
      let suspensions = try await f.base.pool.withConnection { connection in
        try await ContractRepository(connection).suspensions(["home-care": ["SO2"], "DISPUTE": ["SO2", "CIVIL"]], on: day)
      }
      #expect(suspensions.keys.sorted() == ["DISPUTE"] && suspensions["DISPUTE"]?.organisationCode == "SO2", "\(suspensions)")
    }
  }
}
