import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Refusals when a case is created (docs/ACCESS.md, "Enforcement on dispatch"): a supervision
/// order issued to a community whose list lacks it is refused like a later dispatch, nothing
/// is written, and the refusal is counted for the issuing unit in the refusal report.
@Suite("Community access list at intake", .serialized, .timeLimit(.minutes(5)))
struct AccessListIntakeTests {
  @Test("a supervision order to a community off its list is FAILED_PRECONDITION at creation, writes no case and is counted in the refusal report")
  func orderAtCreation() async throws {
    try await CaseFixture.with { f in
      try await AccessListTests.community(f.pool, street: f.units["S01"]!)
      let lists = AccessListService(store: f.pool)
      _ = try await AccessListTests.publish(["community-care"], service: lists, base: f)
      let supervision = SupervisionService(store: f.pool)
      var issue = Civicgrid_V1_IssueOrderRequest()
      issue.title = "Door-to-door census of bicycles"
      issue.requirement = "Count them"
      issue.unitCode = "C01"
      issue.replyWorkingDays = 2
      let refused = await rpcCode { _ = try await f.call(f.supervisor) { try await supervision.issueOrder(request: issue, context: $0) } }
      #expect(refused?.0 == .failedPrecondition)
      #expect(refused?.1 == AccessListRefusal(unitCode: "C01", itemCode: "SUPERVISION-ORDER").description)
      let cases = try await f.pool.query("SELECT count(*)::int FROM cases", []).scalar(Int.self)
      #expect(cases == 0)

      var report = Civicgrid_V1_GetRefusalReportRequest()
      report.from = "2000-01-01"
      report.to = "2199-12-31"
      let counted = try await f.call(f.supervisor) { try await lists.getRefusalReport(request: report, context: $0) }
      #expect(counted.senders.map(\.senderUnitCode) == ["D01"] && counted.senders.first?.refused == 1)
      #expect(counted.senders.first?.itemCodes == ["SUPERVISION-ORDER"])
      let method = try await f.pool.query("SELECT method FROM access_refusals", []).scalar(String.self)
      #expect(method == "test", "the method of the call, as the request context names it")
    }
  }
}
