import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Work refused at a social organisation for want of a covering contract is counted in the
/// refusal report of who pushes work where it may not go (docs/ACCESS.md), under its own rule.
@Suite("Service purchase contracts: refusal report", .serialized, .timeLimit(.minutes(5)))
struct ContractRefusalReportTests {
  @Test("a dispute route refused for want of a contract is counted for the sending unit under the contract rule, with its item")
  func counted() async throws {
    try await DisputeFixture.with { f in
      _ = try await ContractsTests.organisation(f)
      let refused = await rpcCode { _ = try await f.recordReview(try await f.submit(), [(.legalAid, "SO2")]) }
      #expect(refused?.0 == .failedPrecondition && refused?.1.hasPrefix(ContractRefusal.rule) == true, "\(String(describing: refused))")

      var request = Civicgrid_V1_GetRefusalReportRequest()
      request.from = "2000-01-01"
      request.to = "2199-12-31"
      let report = try await f.call(f.supervisor) { try await AccessListService(store: f.base.pool).getRefusalReport(request: request, context: $0) }
      #expect(report.senders.map(\.senderUnitCode) == ["CTR"] && report.senders.first?.refused == 1, "\(report)")
      #expect(report.senders.first?.itemCodes == ["DISPUTE"])
      #expect(report.senders.first?.rules.map(\.rule) == ["contract"] && report.senders.first?.rules.first?.refused == 1)
      let stored = try await f.base.pool.query("SELECT target_unit_code, rule, method FROM access_refusals").decode((String, String, String).self)
      #expect(stored.map(\.0) == ["SO2"] && stored.map(\.1) == ["contract"] && stored.map(\.2) == ["test"])
    }
  }
}
