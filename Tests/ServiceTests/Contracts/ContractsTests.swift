import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Service purchase contracts (docs/CONTRACTS.md) against a scratch PostgreSQL database: work
/// reaches a social organisation only under an active contract covering the item — every
/// refusal (no contract, outside the scope, outside the period) for a dispute's route and a
/// dispatched stage alike — and a contract's indicators come from its own tasks.
@Suite("Service purchase contracts", .serialized, .timeLimit(.minutes(5)))
struct ContractsTests {
  /// Adds social organisation SO2 under the district (it has no contract yet); returns it.
  static func organisation(_ f: DisputeFixture) async throws -> (id: Int64, path: String) {
    let path = f.units["D01"]!.path + "SO2/"
    let id = try await f.base.pool.query(
      "INSERT INTO units (code, name, kind, parent_id, path) VALUES ('SO2', 'Harmony Social Work Station', 'social_organisation', $1, $2) RETURNING id",
      [f.units["D01"]!.id, path]
    ).scalar(Int64.self)!
    return (id, path)
  }

  static func terms(_ items: [String], _ starts: String = "2000-01-01", _ ends: String = "2199-12-31", organisation: String = "SO2") -> Civicgrid_V1_CreateContractRequest {
    var request = Civicgrid_V1_CreateContractRequest()
    request.purchaserUnitCode = "D01"
    request.organisationUnitCode = organisation
    request.title = "Community mediation services"
    request.itemCodes = items
    request.startsOn = starts
    request.endsOn = ends
    request.amountFen = 12_000_000
    request.targets.tasks = 5
    request.targets.onTimePercent = 90
    request.targets.satisfiedPercent = 80
    return request
  }

  static func create(_ request: Civicgrid_V1_CreateContractRequest, _ service: ContractsService, _ base: CaseFixture) async throws -> Civicgrid_V1_Contract {
    try await base.call(base.admin) { try await service.createContract(request: request, context: $0) }
  }

  @Test("a dispute routed to an organisation without contract, outside its contracts' scope or period is FAILED_PRECONDITION naming the rule; under an active contract it goes through and counts in the indicators")
  func disputeRoute() async throws {
    try await DisputeFixture.with { f in
      let so2 = try await Self.organisation(f)
      let contracts = ContractsService(store: f.base.pool)
      let dispute = try await f.submit()

      let none = await rpcCode { _ = try await f.recordReview(dispute, [(.legalAid, "SO2")]) }
      #expect(none?.0 == .failedPrecondition)
      #expect(none?.1.hasPrefix("service purchase contract (政府购买服务): item DISPUTE may not be assigned to organisation SO2: it holds no service contract") == true)

      try await f.base.publishItem()
      _ = try await Self.create(Self.terms(["elderly-allowance"]), contracts, f.base)
      let scope = await rpcCode { _ = try await f.recordReview(dispute, [(.legalAid, "SO2")]) }
      #expect(scope?.0 == .failedPrecondition && scope?.1.hasSuffix("no contract of it covers the item") == true)

      let ended = try await Self.create(Self.terms(["DISPUTE"], "2020-01-01", "2020-12-31"), contracts, f.base)
      #expect(ended.status == "ended")
      let period = await rpcCode { _ = try await f.recordReview(dispute, [(.legalAid, "SO2")]) }
      #expect(period?.0 == .failedPrecondition)
      #expect(period?.1.contains("contract \(ended.id) covers the item from 2020-01-01 to 2020-12-31, not on") == true)

      let active = try await Self.create(Self.terms(["DISPUTE", "elderly-allowance"]), contracts, f.base)
      #expect(active.status == "active" && active.indicators.tasks == 0 && active.indicators.missedTargets == ["tasks"])
      let routed = try await f.recordReview(dispute, [(.legalAid, "SO2")])
      #expect(routed.routes.map(\.task.unitCode) == ["SO2"])

      let worker = Principal(accountID: 77, login: "med-so2", unitID: so2.id, unitCode: "SO2", unitPath: so2.path, roles: [.mediator])
      let agreed = try await f.recordOutcome(routed, task: 1, .agreement, as: worker)
      _ = try await f.call(f.mediator) { try await f.disputes.closeDispute(request: f.close(agreed, .resolved, rating: 5), context: $0) }

      var get = Civicgrid_V1_GetContractRequest()
      get.id = active.id
      let shown = try await f.call(f.supervisor) { try await contracts.getContract(request: get, context: $0) }
      #expect(shown.indicators.tasks == 1 && shown.indicators.finished == 1 && shown.indicators.onTime == 1)
      #expect(shown.indicators.hasOnTimeRate && shown.indicators.onTimeRate == 1)
      #expect(shown.indicators.judged == 1 && shown.indicators.satisfied == 1 && shown.indicators.satisfactionRate == 1)
      #expect(shown.indicators.missedTargets == ["tasks"], "5 tasks were bought, 1 taken so far")
      // The task belongs to the contract it was assigned under, not to the others of SO2.
      get.id = ended.id
      #expect(try await f.call(f.supervisor) { try await contracts.getContract(request: get, context: $0) }.indicators.tasks == 0)
    }
  }

  @Test("a stage dispatched to an organisation outside its contract's scope is refused at acceptance; once covered it is dispatched and linked")
  func stageDispatch() async throws {
    try await DisputeFixture.with { f in
      _ = try await Self.organisation(f)
      let contracts = ContractsService(store: f.base.pool)
      // Publication needs a contract covering the item (ContractPublicationTests); the scope
      // then narrows to DISPUTE, so the published stage is outside it.
      try await Self.draftOrganisationItem(f.base)
      let first = try await Self.create(Self.terms(["DISPUTE", "home-care"]), contracts, f.base)
      try await Self.publishOrganisationItem(f.base)
      _ = try await f.base.call(f.base.admin) {
        try await contracts.amendContract(request: ContractChangesTests.amend(first) { $0.itemCodes = ["DISPUTE"] }, context: $0)
      }
      let refused = await rpcCode { _ = try await AccessListTests.submitAndAccept(f.base, item: "home-care") }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1.hasPrefix("service purchase contract (政府购买服务): item home-care may not be assigned to organisation SO2") == true)

      let covering = try await Self.create(Self.terms(["home-care"]), contracts, f.base)
      #expect(try await AccessListTests.submitAndAccept(f.base, item: "home-care").tasks.map(\.unitCode) == ["CIVIL", "SO2"])
      var get = Civicgrid_V1_GetContractRequest()
      get.id = covering.id
      let shown = try await f.call(f.supervisor) { try await contracts.getContract(request: get, context: $0) }
      #expect(shown.indicators.tasks == 1 && shown.indicators.finished == 0 && !shown.indicators.hasOnTimeRate)
    }
  }

  /// Saves `home-care`, whose one stage goes to CIVIL and the organisation SO2, as draft
  /// version 1 (a contract's scope may name it from then on).
  static func draftOrganisationItem(_ f: CaseFixture) async throws {
    var draft = Civicgrid_V1_SaveDraftRequest()
    draft.definition = CaseFixture.oneStageItem("home-care", name: "Home care for the elderly", units: ["CIVIL", "SO2"])
    _ = try await f.call(f.admin) { try await f.catalog.saveDraft(request: draft, context: $0) }
  }

  /// Publishes the drafted `home-care` version 1.
  static func publishOrganisationItem(_ f: CaseFixture) async throws {
    var publish = Civicgrid_V1_ItemVersionRequest()
    publish.code = "home-care"
    publish.version = 1
    publish.expectedItemVersion = 1
    _ = try await f.call(f.admin) { try await f.catalog.publishVersion(request: publish, context: $0) }
  }

  static let invalid: [(String, @Sendable (inout Civicgrid_V1_CreateContractRequest) -> Void)] = [
    ("purchaser_unit_code", { $0.purchaserUnitCode = "NOPE" }),
    ("purchaser_unit_code", { $0.purchaserUnitCode = "SO1" }),
    ("organisation_unit_code", { $0.organisationUnitCode = "CIVIL" }),
    ("organisation_unit_code", { $0.organisationUnitCode = "" }),
    ("title", { $0.title = " " }),
    ("item_codes", { $0.itemCodes = [] }),
    ("item_codes[1]", { $0.itemCodes = ["DISPUTE", "DISPUTE"] }),
    ("item_codes[0]", { $0.itemCodes = ["no-such-item"] }),
    ("starts_on", { $0.startsOn = "2026-02-30" }),
    ("ends_on", { $0.endsOn = "1999-12-31" }),
    ("amount_fen", { $0.amountFen = 0 }),
    ("targets.on_time_percent", { $0.targets.onTimePercent = 101 }),
    ("targets.tasks", { $0.targets.tasks = -1 }),
  ]

  @Test("bad contract terms answer INVALID_ARGUMENT naming the field; nothing is written", arguments: 0..<Self.invalid.count)
  func invalidTerms(index: Int) async throws {
    try await DisputeFixture.with { f in
      _ = try await Self.organisation(f)
      let (field, change) = Self.invalid[index]
      var request = Self.terms(["DISPUTE"])
      change(&request)
      let refused = await rpcCode { _ = try await Self.create(request, ContractsService(store: f.base.pool), f.base) }
      #expect(refused?.0 == .invalidArgument && refused?.1.contains(field) == true, "\(field): \(String(describing: refused))")
      let written = try await f.base.pool.query("SELECT count(*)::int FROM service_contracts WHERE organisation_unit_id <> (SELECT id FROM units WHERE code = 'SO1')").scalar(Int.self)
      #expect(written == 0)
    }
  }

  @Test("creation is audited; contracts are read within scope (outside it NOT_FOUND) and listed per organisation")
  func auditAndScope() async throws {
    try await DisputeFixture.with { f in
      _ = try await Self.organisation(f)
      let contracts = ContractsService(store: f.base.pool)
      let created = try await Self.create(Self.terms(["DISPUTE"]), contracts, f.base)
      #expect(created.id.hasPrefix("SC") && created.createdBy == "admin" && created.amountFen == 12_000_000)
      let audited = try await f.base.pool.query("SELECT count(*)::int FROM audit_log WHERE object = $1", ["contract/\(created.id)"]).scalar(Int.self)
      #expect(audited == 1)

      var get = Civicgrid_V1_GetContractRequest()
      get.id = created.id
      // A handler of the street's centre: neither D01 nor SO2 is in its subtree.
      let outsider = f.principal("h-ctr2", "CTR2", [.handler])
      let hidden = await rpcCode { _ = try await f.call(outsider) { try await contracts.getContract(request: get, context: $0) } }
      #expect(hidden?.0 == .notFound)
      get.id = "SC-1"
      let bad = await rpcCode { _ = try await f.call(f.supervisor) { try await contracts.getContract(request: get, context: $0) } }
      #expect(bad?.0 == .invalidArgument && bad?.1.contains("id") == true)

      var list = Civicgrid_V1_ListContractsRequest()
      list.organisationUnitCode = "SO2"
      let listed = try await f.call(f.supervisor) { try await contracts.listContracts(request: list, context: $0) }
      #expect(listed.contracts.map(\.id) == [created.id])
      list.organisationUnitCode = ""
      let all = try await f.call(f.supervisor) { try await contracts.listContracts(request: list, context: $0) }
      #expect(all.contracts.map(\.organisationUnitCode) == ["SO2", "SO1"], "newest first; SO1's is the fixture's")
      let none = try await f.call(outsider) { try await contracts.listContracts(request: list, context: $0) }
      #expect(none.contracts.isEmpty)
    }
  }
}
