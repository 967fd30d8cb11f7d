import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Publishing a catalogue version whose stage names a social organisation (docs/CONTRACTS.md,
/// "Catalogue publication"), against a scratch PostgreSQL database: refused while no contract
/// of the organisation covers the item from today on, naming why like a refused dispatch;
/// admitted by a covering contract, even one that begins later (each dispatch is still
/// checked on its own day).
@Suite("Service purchase contracts: catalogue publication", .serialized, .timeLimit(.minutes(5)))
struct ContractPublicationTests {
  static func status(_ f: CaseFixture) async throws -> Civicgrid_V1_ItemVersionStatus? {
    var get = Civicgrid_V1_GetItemRequest()
    get.code = "home-care"
    return try await f.call(f.admin) { try await f.catalog.getItem(request: get, context: $0) }.versions.first?.status
  }

  @Test("a version dispatching to an organisation with no contract, none covering the item, or only an ended one is FAILED_PRECONDITION and stays a draft; an upcoming covering contract admits it, while dispatch waits for its first day")
  func publication() async throws {
    try await DisputeFixture.with { f in
      _ = try await ContractsTests.organisation(f)
      let contracts = ContractsService(store: f.base.pool)
      let today = ContractChangesTests.today
      try await ContractsTests.draftOrganisationItem(f.base)
      let prefix = "service purchase contract (政府购买服务): item home-care may not be assigned to organisation SO2: "

      let none = await rpcCode { try await ContractsTests.publishOrganisationItem(f.base) }
      #expect(none?.0 == .failedPrecondition && none?.1 == prefix + "it holds no service contract", "\(String(describing: none))")

      _ = try await ContractsTests.create(ContractsTests.terms(["DISPUTE"]), contracts, f.base)
      let scope = await rpcCode { try await ContractsTests.publishOrganisationItem(f.base) }
      #expect(scope?.0 == .failedPrecondition && scope?.1 == prefix + "no contract of it covers the item", "\(String(describing: scope))")

      let ended = try await ContractsTests.create(ContractsTests.terms(["home-care"], "2020-01-01", "2020-12-31"), contracts, f.base)
      let period = await rpcCode { try await ContractsTests.publishOrganisationItem(f.base) }
      #expect(period?.0 == .failedPrecondition, "\(String(describing: period))")
      #expect(period?.1 == prefix + "contract \(ended.id) covers the item from 2020-01-01 to 2020-12-31, not on \(today)", "\(String(describing: period))")
      #expect(try await Self.status(f.base) == .draft, "every refused publication left the draft as it was")

      let starts = today.adding(days: 30)
      _ = try await ContractsTests.create(ContractsTests.terms(["home-care"], starts.description, "2199-12-31"), contracts, f.base)
      try await ContractsTests.publishOrganisationItem(f.base)
      #expect(try await Self.status(f.base) == .published)
      let early = await rpcCode { _ = try await AccessListTests.submitAndAccept(f.base, item: "home-care") }
      #expect(early?.0 == .failedPrecondition && early?.1.hasPrefix(prefix) == true, "intake (and dispatch) wait for the contract's first day: \(String(describing: early))")
    }
  }

  @Test("a version whose stages name no social organisation is published without any contract")
  func noOrganisation() async throws {
    try await DisputeFixture.with { f in
      _ = try await ContractsTests.organisation(f)
      try await f.base.publishOneStageItem("community-care", name: "Community care visit", units: ["CIVIL", "HR"])
      var get = Civicgrid_V1_GetItemRequest()
      get.code = "community-care"
      let item = try await f.base.call(f.base.admin) { try await f.base.catalog.getItem(request: get, context: $0) }
      #expect(item.versions.first?.status == .published)
    }
  }
}
