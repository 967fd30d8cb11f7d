import CivicDomain
import CivicProtos
import CivicServices
import Foundation
import GRPCCore
import Testing

/// Field events in GetMetrics (docs/METRICS.md, indicators 14–16) over a scratch database:
/// four events of grid G01 in March 2026 — routed and handled on time, handled on the spot,
/// routed and left overdue, forwarded to requests — counted per grid and per street subtree,
/// with drill-down.
@Suite("Field event indicators in GetMetrics", .serialized, .timeLimit(.minutes(5)))
struct FieldEventMetricsTests {
  @Test("count 4, on time 1 of 2 (one overdue), on the spot 1 of 2, per grid and per street, with drill-down; nothing at the community itself")
  func metrics() async throws {
    try await GridFixture.with { f in
      try await f.setRoutes()
      try await f.base.setRoutes()
      let onTime = try await f.route(try await f.reportEvent(f.report(.facilities)))  // community C01, 4 working days
      _ = try await f.handle(onTime, as: f.communityHandler)
      _ = try await f.handle(try await f.reportEvent(f.report(.environment)))  // on the spot (the first of every 3: not sampled)
      let overdue = try await f.route(try await f.reportEvent(f.report(.publicSecurity)))  // PS, 2 working days
      _ = try await f.route(try await f.reportEvent(f.report(.citizenRequest)))  // forwarded: reported only
      f.clock.set(RequestFixture.start.adding(seconds: 18 * 86_400))  // 2026-03-20, long past the PS deadline

      let evaluation = EvaluationService(store: f.pool, now: { f.clock.now })
      func metrics(_ unit: String, subtree: Bool = false, drill: String = "") async throws -> Civicgrid_V1_Metrics {
        try await f.metrics(evaluation, unit, subtree: subtree, drill: drill)
      }
      let figure = GridFixture.figure
      for (unit, subtree) in [("G01", false), ("S01", true)] {
        let m = try await metrics(unit, subtree: subtree)
        #expect(m.metricsVersion == 5)
        #expect(figure(m, "field_event_count")! == (4, 4, 4), "\(unit)")
        #expect(figure(m, "field_event_on_time_rate")! == (1, 2, 0.5), "\(unit)")
        #expect(figure(m, "field_event_self_handled_share")! == (1, 2, 0.5), "\(unit)")
      }
      let drill = try await metrics("G01", drill: "field_event_on_time_rate").drill
      #expect(drill.map(\.caseID) == [onTime.id, overdue.id])
      #expect(drill.map(\.counted) == [true, false])
      #expect(drill.map(\.note) == ["facilities: handled on time", "publicSecurity: not handled, overdue"])
      let community = try await metrics("C01")
      #expect(figure(community, "field_event_count")! == (0, 0, 0) && figure(community, "field_event_on_time_rate")! == (0, 0, nil))
      #expect(figure(try await metrics("G02"), "field_event_self_handled_share")! == (0, 0, nil))
    }
  }
}
