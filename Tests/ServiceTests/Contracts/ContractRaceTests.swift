import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// A dispatch to a social organisation racing an amendment of its contract (docs/CONTRACTS.md,
/// "Ending and amending"), against a scratch PostgreSQL database: the coverage check and the
/// amendment serialise, so no task is ever linked under a contract version whose scope does
/// not hold its item.
@Suite("Service purchase contracts: dispatch racing amendments", .serialized, .timeLimit(.minutes(5)))
struct ContractRaceTests {
  static let rounds = 100

  @Test("dispute routes to an organisation racing amendments that drop and restore the item are never linked under a version that does not cover it")
  func routeRacingAmendments() async throws {
    try await DisputeFixture.with { f in
      _ = try await ContractsTests.organisation(f)
      try await f.base.publishItem()
      let service = ContractsService(store: f.base.pool)
      var contract = try await ContractsTests.create(ContractsTests.terms(["DISPUTE", "elderly-allowance"]), service, f.base)
      var dispatched = 0
      var refused = 0
      for round in 0..<Self.rounds {
        let dispute = try await f.submit()
        // Odd versions hold DISPUTE, even ones do not: each amendment flips it.
        let items = contract.itemCodes.contains("DISPUTE") ? ["elderly-allowance"] : ["DISPUTE", "elderly-allowance"]
        let amendment = ContractChangesTests.amend(contract, reason: "round \(round)") { $0.itemCodes = items }
        async let route = rpcCode { _ = try await f.recordReview(dispute, [(.legalAid, "SO2")]) }
        async let amended = f.base.call(f.base.admin) { try await service.amendContract(request: amendment, context: $0) }
        let (routed, next) = await (route, try amended)
        #expect(next.version == contract.version + 1 && next.itemCodes == items.sorted())
        contract = next
        if let routed {
          #expect(routed.0 == .failedPrecondition && routed.1.hasSuffix("no contract of it covers the item"), "round \(round): \(routed)")
          refused += 1
        } else {
          dispatched += 1
        }
      }
      let id = ServiceContract.id(contract.id)!
      let links = try await f.base.pool.query(
        """
        SELECT t.contract_version, 'DISPUTE' = ANY(v.item_codes) FROM service_contract_tasks t
        JOIN service_contract_versions v ON v.contract_id = t.contract_id AND v.version = t.contract_version
        WHERE t.contract_id = \(id) ORDER BY t.case_id
        """
      ).decode((Int, Bool).self)
      #expect(links.count == dispatched, "every route that went through is linked, once")
      let uncovered = links.filter { !$0.1 }.map(\.0)
      #expect(uncovered.isEmpty, "linked under versions that do not hold DISPUTE: \(uncovered)")
      #expect(dispatched + refused == Self.rounds && contract.version == Self.rounds + 1)
    }
  }
}
