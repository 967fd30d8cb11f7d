import CivicDomain
import CivicProtos
import CivicServices
import Foundation
import GRPCCore
import Testing

/// The dispute indicators (docs/METRICS.md, 12–13) through GetMetrics, a closed period and the
/// assessment, against a hand-worked November 2026 with scripted time; and a unit with nothing
/// to assess listed apart as "no data".
@Suite("Dispute indicators in metrics, periods and the assessment", .serialized, .timeLimit(.minutes(5)))
struct DisputeMetricsTests {
  typealias E = EvaluationFixture

  /// Disputes closed (and agreements followed up) at chosen instants:
  ///
  /// | dispute | unit | what | when |
  /// |---|---|---|---|
  /// | d1 | CTR | agreement, followed up fulfilled; closed resolved | 11-10, 11-12 |
  /// | d2 | CTR | people's mediation failed; closed not resolved | 11-13 |
  /// | d3 | CTR | closed withdrawn | 11-14 |
  /// | d4 | CTR | closed referred out | 11-15 |
  /// | d5 | CTR | agreement, followed up not fulfilled; closed resolved | 11-17, 12-02 |
  /// | d7, d8 | CTR | agreement; closed resolved | 11-20, 11-23 |
  /// | d6 | CTR2 | people's mediation failed; closed not resolved | 11-24 |
  ///
  /// CTR, November, as of 12-05: resolution = {d1, d7, d8 resolved; d2 not} = 3 ÷ 4 = 75 %
  /// (d3 withdrawn and d4 referred out are not concluded; d5 closed in December);
  /// fulfilment = {d1 fulfilled, d5 not} = 1 ÷ 2 = 50 %. D01's subtree adds d6: 3 ÷ 5 = 60 %.
  @Test(
    "resolution and fulfilment rates against the hand-worked fixture: metrics, drill-down, frozen period, basic work; idle units have no data"
  )
  func handWorked() async throws {
    let clock = TestClock(E.at("2026-11-02"))
    try await DisputeFixture.with(now: { clock.now }) { f in
      let evaluation = EvaluationService(store: f.base.pool, now: { clock.now })
      let ctr2Clerk = f.principal("clerk2", "CTR2", [.clerk])
      let ctr2Mediator = f.principal("med-ctr2", "CTR2", [.mediator])

      func at(_ day: String, _ hour: Int = 10) { clock.set(E.at(day, hour)) }
      func submit(_ principal: Principal) async throws -> Civicgrid_V1_Dispute {
        try await f.call(principal) { try await f.disputes.submitDispute(request: f.submission(), context: $0) }
      }
      func review(_ dispute: Civicgrid_V1_Dispute, as principal: Principal) async throws -> Civicgrid_V1_Dispute {
        try await f.call(principal) {
          try await f.disputes.recordReview(request: f.review(dispute, [(.peoplesMediation, "MC1")]), context: $0)
        }
      }
      func close(_ dispute: Civicgrid_V1_Dispute, _ result: Civicgrid_V1_DisputeResult, as principal: Principal? = nil) async throws {
        _ = try await f.call(principal ?? f.mediator) { try await f.disputes.closeDispute(request: f.close(dispute, result), context: $0) }
      }
      func followUp(_ dispute: Civicgrid_V1_Dispute, fulfilled: Bool) async throws -> Civicgrid_V1_Dispute {
        var request = Civicgrid_V1_RecordFulfilmentRequest()
        request.disputeID = dispute.id
        request.expectedVersion = dispute.version
        request.task = 1
        request.fulfilled = fulfilled
        request.note = fulfilled ? "paid" : "not paid"
        return try await f.call(f.gridWorker) { try await f.disputes.recordFulfilment(request: request, context: $0) }
      }
      /// Submitted and reviewed now; the route settled with an agreement.
      func agreed() async throws -> Civicgrid_V1_Dispute {
        try await f.recordOutcome(try await review(try await submit(f.clerk), as: f.mediator), task: 1, .agreement)
      }

      let d1 = try await agreed()
      at("2026-11-10")
      let d1Followed = try await followUp(d1, fulfilled: true)
      at("2026-11-12")
      try await close(d1Followed, .resolved)
      at("2026-11-13")
      try await close(
        try await f.recordOutcome(try await review(try await submit(f.clerk), as: f.mediator), task: 1, .failed),
        .notResolved
      )
      at("2026-11-14")
      try await close(try await submit(f.clerk), .withdrawn)
      at("2026-11-15")
      try await close(try await submit(f.clerk), .referredOut)
      let d5 = try await agreed()
      at("2026-11-17")
      let d5Followed = try await followUp(d5, fulfilled: false)
      at("2026-11-20")
      try await close(try await agreed(), .resolved)
      at("2026-11-23")
      try await close(try await agreed(), .resolved)
      at("2026-11-24")
      let d6 = try await f.recordOutcome(try await review(try await submit(ctr2Clerk), as: ctr2Mediator), task: 1, .failed)
      try await close(d6, .notResolved, as: ctr2Mediator)
      at("2026-12-02")
      try await close(d5Followed, .resolved)

      at("2026-12-05")
      func metrics(_ unit: String, subtree: Bool = false, drill: String = "") async throws -> Civicgrid_V1_Metrics {
        var request = Civicgrid_V1_GetMetricsRequest()
        request.unitCode = unit
        request.period = "2026-11"
        request.subtree = subtree
        request.drill = drill
        return try await f.call(f.supervisor) { try await evaluation.getMetrics(request: request, context: $0) }
      }
      func figure(_ metrics: Civicgrid_V1_Metrics, _ name: String) -> (Double, Int64, Double?)? {
        metrics.figures.first { $0.indicator == name }.map { ($0.numerator, $0.denominator, $0.hasValue ? $0.value : nil) }
      }
      let ctr = try await metrics("CTR")
      #expect(ctr.metricsVersion == 5)
      #expect(figure(ctr, "dispute_resolution_rate")! == (3, 4, 0.75))
      #expect(figure(ctr, "agreement_fulfilment_rate")! == (1, 2, 0.5))
      let drill = try await metrics("CTR", drill: "dispute_resolution_rate").drill
      #expect(drill.map(\.counted) == [true, false, true, true], "d1, d2, d7, d8 in case order")
      #expect(drill.map(\.note) == ["resolved", "notResolved", "resolved", "resolved"])
      let district = try await metrics("D01", subtree: true)
      #expect(figure(district, "dispute_resolution_rate")! == (3, 5, 0.6))
      #expect(figure(try await metrics("CTR2"), "agreement_fulfilment_rate")! == (0, 0, nil))

      // Scheme 2 (migration 0015): basic work 70 × (10 × 0.75 + 4 × 0.5) ÷ 14 = 47.5; no rating: social 30.
      // CTR2: 70 × (10 × 0) ÷ 10 = 0, social 30. MC1 (a centre that took nothing in): no data.
      var request = Civicgrid_V1_GetAssessmentRequest()
      request.period = "2026-11"
      request.unitKind = "centre"
      let open = try await f.call(f.supervisor) { try await evaluation.getAssessment(request: request, context: $0) }
      #expect(open.schemeVersion == 2)
      #expect(open.units.map(\.unitCode) == ["CTR", "CTR2", "MC1"])
      #expect(open.units.map(\.rank) == [1, 2, 0])
      #expect(open.units.map(\.noData) == [false, false, true])
      #expect(open.units.map(\.basicWork) == [47.5, 0, 0] && open.units.map(\.total) == [77.5, 30, 0])

      // Closing freezes the dispute figures and the assessment (with its no-data line); a
      // dispute closed afterwards with a November instant can no longer change them.
      var closing = Civicgrid_V1_ClosePeriodRequest()
      closing.period = "2026-11"
      let closed = try await f.call(f.supervisor) { try await evaluation.closePeriod(request: closing, context: $0) }
      #expect(closed.metricsVersion == 5 && closed.schemeVersion == 2)
      at("2026-11-30")
      try await close(try await submit(f.clerk), .referredOut)
      try await close(try await agreed(), .resolved)
      at("2026-12-06")
      let frozen = try await metrics("CTR")
      #expect(frozen.closed && figure(frozen, "dispute_resolution_rate")! == (3, 4, 0.75))
      #expect(try await metrics("CTR", drill: "agreement_fulfilment_rate").drill.map(\.counted) == [true, false])
      let recorded = try await f.call(f.supervisor) { try await evaluation.getAssessment(request: request, context: $0) }
      #expect(recorded.closed && recorded.units.map(\.unitCode) == ["CTR", "CTR2", "MC1"])
      #expect(recorded.units.map(\.rank) == [1, 2, 0] && recorded.units.map(\.noData) == [false, false, true])
    }
  }
}
