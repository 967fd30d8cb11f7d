import CivicDomain
import CivicProtos
import CivicStore
import Testing

@testable import CivicServices

/// `civicgridd seed-demo --history 90d` (`DemoHistory`) on the demo district, with its clock at
/// a fixed instant so the quarter is the same on every run.
@Suite("seed-demo --history", .serialized, .timeLimit(.minutes(15)))
struct DemoHistoryTests {
  /// Friday 27 November 2026, 10:00 Beijing time: the quarter 2026-Q4 has run for two months.
  static let now = Instant(secondsSinceEpoch: 1_795_744_800)

  @Test("a quarter of history: a second run adds nothing; the quarter's dispute and request indicators have figures; idle units score no data")
  func quarter() async throws {
    try await ServiceHarness.withServer { harness in
      let store = harness.store
      func count(_ table: String) async throws -> Int {
        try await store.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self) ?? 0
      }
      let first = try await DemoHistory.seed(store, days: 90, now: Self.now)
      #expect(first.applications > 0 && first.disputes > 0 && first.requests > 0 && first.staff > 0, "\(first)")
      let tables = ["cases", "case_events", "disputes", "citizen_requests", "ratings", "accounts", "duty_roster", "audit_log"]
      func counts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in tables { counts[table] = try await count(table) }
        return counts
      }
      let before = try await counts()
      #expect(before["disputes"] == first.disputes && before["citizen_requests"] == first.requests)
      #expect(before["ratings", default: 0] > 0 && before["duty_roster", default: 0] > 0)

      let again = try await DemoHistory.seed(store, days: 90, now: Self.now)
      #expect(again == DemoHistory.Report(), "a second run adds nothing: \(again)")
      let after = try await counts()
      #expect(after == before)

      // The quarter's indicators over the district have figures, not dashes.
      let call = DemoCall(store: store)
      let evaluation = EvaluationService(store: store, now: { Self.now })
      let metrics = try await call.run(as: "supervisor", service: "civicgrid.v1.Evaluation") { context in
        var request = Civicgrid_V1_GetMetricsRequest()
        request.unitCode = "QH"
        request.period = "2026-Q4"
        request.subtree = true
        return try await evaluation.getMetrics(request: request, context: context)
      }
      let figures = Dictionary(metrics.figures.map { ($0.indicator, $0) }, uniquingKeysWith: { first, _ in first })
      for indicator in [
        "dispute_resolution_rate", "agreement_fulfilment_rate", "request_resolution_rate", "request_escalation_rate",
        "request_on_time_reply_rate", "acceptance_rate", "on_time_completion_rate", "average_handling_days", "satisfaction_rate",
        "rectification_rate",
      ] {
        let figure = figures[indicator]
        #expect(figure?.hasValue == true && (figure?.denominator ?? 0) > 0, "\(indicator): \(String(describing: figure?.display))")
      }

      // Applications go through their stages: most finish in time, some late.
      let onTime = try #require(figures["on_time_completion_rate"])
      #expect(onTime.numerator > 0 && onTime.numerator < Double(onTime.denominator), "\(onTime.display)")

      // The assessment: the district centre has a quarter's work; the street's convenience
      // centre took nothing in and scores "no data", not full marks.
      let assessment = try await call.run(as: "supervisor", service: "civicgrid.v1.Evaluation") { context in
        var request = Civicgrid_V1_GetAssessmentRequest()
        request.period = "2026-Q4"
        request.unitKind = "centre"
        return try await evaluation.getAssessment(request: request, context: context)
      }
      let centres = Dictionary(assessment.units.map { ($0.unitCode, $0) }, uniquingKeysWith: { first, _ in first })
      #expect(centres["QH-GSC"]?.noData == false && (centres["QH-GSC"]?.total ?? 0) > 0)
      #expect(centres["QH-S1-CSC"]?.noData == true, "\(String(describing: centres["QH-S1-CSC"]))")
    }
  }
}
