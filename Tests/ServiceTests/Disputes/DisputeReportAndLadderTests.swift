import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// The periodic dispute report at three cadences against a hand-worked autumn, and the
/// ladder-editing RPCs (docs/DISPUTES.md, "Reports", "The ladder").
@Suite("Dispute reports and the ladder", .serialized, .timeLimit(.minutes(5)))
struct DisputeReportAndLadderTests {
  typealias E = EvaluationFixture

  /// | dispute | unit | what |
  /// |---|---|---|
  /// | d4 | CTR | submitted 10-28, closed withdrawn 11-02 |
  /// | d1 | CTR | submitted 11-03, people's mediation at MC1 opened 11-03, agreement 11-05, closed resolved 11-06 |
  /// | d2 | CTR | submitted 11-10, people's mediation at MC1 opened 11-10, failed 11-11, closed not resolved 11-12 |
  /// | d3 | CTR2 | submitted 11-20, closed referred out 12-01 |
  @Test("monthly, quarterly and annual reports count by type, channel, outcome, result and unit")
  func report() async throws {
    let clock = TestClock(E.at("2026-10-28"))
    try await DisputeFixture.with(now: { clock.now }) { f in
      let ctr2Clerk = f.principal("clerk2", "CTR2", [.clerk])
      func at(_ day: String) { clock.set(E.at(day)) }
      func close(_ dispute: Civicgrid_V1_Dispute, _ result: Civicgrid_V1_DisputeResult, as principal: Principal? = nil) async throws {
        _ = try await f.call(principal ?? f.mediator) { try await f.disputes.closeDispute(request: f.close(dispute, result), context: $0) }
      }
      let d4 = try await f.submit()
      at("2026-11-02")
      try await close(d4, .withdrawn)
      at("2026-11-03")
      let d1 = try await f.recordReview(try await f.submit(), [(.peoplesMediation, "MC1")])
      at("2026-11-05")
      let d1Agreed = try await f.recordOutcome(d1, task: 1, .agreement)
      at("2026-11-06")
      try await close(d1Agreed, .resolved)
      at("2026-11-10")
      let d2 = try await f.recordReview(try await f.submit(), [(.peoplesMediation, "MC1")])
      at("2026-11-11")
      let d2Failed = try await f.recordOutcome(d2, task: 1, .failed)
      at("2026-11-12")
      try await close(d2Failed, .notResolved)
      at("2026-11-20")
      let d3 = try await f.submit(as: ctr2Clerk)
      at("2026-12-01")
      try await close(d3, .referredOut, as: f.principal("med-ctr2", "CTR2", [.mediator]))
      at("2026-12-05")

      func report(_ period: String, unit: String = "D01", as principal: Principal? = nil) async throws -> Civicgrid_V1_DisputeReport {
        var request = Civicgrid_V1_GetDisputeReportRequest()
        request.period = period
        request.unitCode = unit
        return try await f.call(principal ?? f.supervisor) { try await f.disputes.getDisputeReport(request: request, context: $0) }
      }
      func rows(_ rows: [Civicgrid_V1_DisputeReportRow]) -> [String: [Int64]] {
        rows.reduce(into: [:]) { $0[$1.key] = [$1.received, $1.ended, $1.settled] }
      }
      let november = try await report("2026-11")
      #expect(november.period == "2026-11" && november.received == 3 && november.closed == 3)
      #expect(rows(november.byType)["dispute"] == [3, 3, 1] && rows(november.byType)["firstLetter"] == [0, 0, 0])
      #expect(rows(november.byChannel)["peoplesMediation"] == [2, 2, 1] && rows(november.byChannel)["legalAid"] == [0, 0, 0])
      #expect(rows(november.byOutcome)["agreement"] == [0, 1, 0] && rows(november.byOutcome)["failed"] == [0, 1, 0])
      #expect(rows(november.byResult)["resolved"] == [0, 1, 0] && rows(november.byResult)["notResolved"] == [0, 1, 0])
      #expect(rows(november.byResult)["withdrawn"] == [0, 1, 0] && rows(november.byResult)["referredOut"] == [0, 0, 0])
      #expect(rows(november.byUnit) == ["CTR": [2, 3, 1], "CTR2": [1, 0, 0]])
      #expect(november.resolutionNumerator == 1 && november.resolutionDenominator == 2 && november.resolutionRate == 0.5)
      #expect(november.markdown.hasPrefix("# Monthly dispute analysis (月研判): D01 and below, 2026-11"))
      #expect(november.markdown.contains("| peoplesMediation | 2 | 2 | 1 |"))

      let quarter = try await report("2026-Q4")
      #expect(quarter.received == 4 && quarter.closed == 4)
      #expect(rows(quarter.byResult)["referredOut"] == [0, 1, 0])
      #expect(quarter.markdown.hasPrefix("# Quarterly dispute report (季总结)"))
      let year = try await report("2026")
      #expect(year.received == 4 && year.closed == 4 && year.markdown.hasPrefix("# Annual dispute report (年考核)"))
      #expect(try await report("2026-11", unit: "CTR2").received == 1)

      let outside = await rpcCode { _ = try await report("2026-11", as: ctr2Clerk) }
      #expect(outside?.0 == .notFound, "D01 is outside CTR2's subtree")
      let bad = await rpcCode { _ = try await report("2026-13") }
      #expect(bad?.0 == .invalidArgument && bad?.1.hasPrefix("period:") == true)
    }
  }

  @Test("the ladder: shown with its versions; SetLadder validated, versioned and audited; the next escalation climbs the new ladder")
  func ladder() async throws {
    try await DisputeFixture.with { f in
      let shown = try await f.call(f.mediator) { try await f.disputes.getLadder(request: .init(), context: $0) }
      #expect(shown.districtCode == "D01" && shown.version == 0 && shown.rungs.count == 4 && shown.standard)

      func set(_ rungs: [String], expected: Int32, as principal: Principal? = nil) async throws -> Civicgrid_V1_DisputeLadder {
        var request = Civicgrid_V1_SetLadderRequest()
        request.rungs = rungs
        request.expectedVersion = expected
        return try await f.call(principal ?? f.base.admin) { try await f.disputes.setLadder(request: request, context: $0) }
      }
      for (field, rungs) in [
        ("rungs", [String]()), ("rungs[1]", ["grid", "grid"]), ("rungs[0]", ["grid\ncommunity"]), ("rungs[0]", [" "]),
      ] {
        let failure = await rpcCode { _ = try await set(rungs, expected: 0) }
        #expect(failure?.0 == .invalidArgument && failure?.1.hasPrefix(field + ":") == true, "\(field): \(String(describing: failure))")
      }
      let local = await rpcCode { _ = try await set(["grid"], expected: 0, as: f.base.principal("admin2", "CTR", [.admin])) }
      #expect(local?.0 == .permissionDenied)

      let five = ["grid", "community", "street", "district centre", "court link"]
      let published = try await set(five, expected: 0)
      #expect(published.version == 1 && published.rungs == five && !published.standard && published.createdBy == "admin@D01")
      let stale = await rpcCode { _ = try await set(five, expected: 0) }
      #expect(stale?.0 == .aborted)
      let second = try await set(Array(five.dropFirst()) + ["court"], expected: 1)
      #expect(second.version == 2 && second.history == [2, 1])
      _ = try await set(five, expected: 2)
      let audited = try await f.base.pool.query("SELECT count(*) FROM audit_log WHERE object LIKE 'dispute-ladder/D01/%'").scalar(Int.self)
      #expect(audited == 3)

      let submitted = try await f.submit()
      #expect(submitted.ladderLevel == 1 && submitted.ladderRung == "grid")
      let failed = try await f.recordOutcome(try await f.recordReview(submitted, [(.peoplesMediation, "MC1")]), task: 1, .failed)
      #expect(failed.ladderLevel == 2 && failed.ladderRung == "community")
    }
  }
}
