import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Grid workers' training in GetMetrics and the assessment (docs/METRICS.md, indicator 17)
/// over a scratch database: March 2026 owes 2 hours; gw-a (G01) took 2.5, gw-b (G01) 1.5 in
/// March (and 4 in February), gw-c (G02) exactly 2; a disabled worker of G01 counts nowhere.
@Suite("Grid training in GetMetrics and GetAssessment", .serialized, .timeLimit(.minutes(5)))
struct GridTrainingMetricsTests {
  @Test("training rate G01 1 of 2, S01's subtree 2 of 3 with drill-down by worker; a scheme weighing it scores G01 65, G02 100, S01 76.67")
  func trainingInAssessment() async throws {
    try await GridFixture.with { f in
      for (login, unit, disabled) in [("gw-a", "G01", false), ("gw-b", "G01", false), ("gw-c", "G02", false), ("gw-gone", "G01", true)] {
        try await f.pool.query(
          "INSERT INTO accounts (login, unit_id, roles, disabled) VALUES ($1, $2, '{grid_worker}', $3)",
          [login, f.base.base.units[unit]!.id, disabled]
        )
      }
      let grids = GridsService(store: f.pool)
      for (login, date, hours) in [
        ("gw-a", "2026-03-03", 1.5), ("gw-a", "2026-03-10", 1.0), ("gw-b", "2026-02-27", 4.0), ("gw-b", "2026-03-05", 1.5),
        ("gw-c", "2026-03-12", 2.0),
      ] {
        var request = Civicgrid_V1_RecordTrainingRequest()
        request.login = login
        request.course = "Fire safety"
        request.date = date
        request.hours = hours
        _ = try await f.call(f.streetSupervisor) { try await grids.recordTraining(request: request, context: $0) }
      }
      try await f.pool.query(
        "INSERT INTO grid_training (login, unit_id, course, taken_on, hours, recorded_by) VALUES ('gw-gone', $1, 'x', '2026-03-04', 9, 'sup-s01')",
        [f.base.base.units["G01"]!.id]
      )
      f.clock.set(RequestFixture.start.adding(seconds: 18 * 86_400))  // 2026-03-20

      let evaluation = EvaluationService(store: f.pool, now: { f.clock.now })
      func metrics(_ unit: String, subtree: Bool = false, drill: String = "") async throws -> Civicgrid_V1_Metrics {
        try await f.metrics(evaluation, unit, subtree: subtree, drill: drill)
      }
      func training(_ metrics: Civicgrid_V1_Metrics) -> (Double, Int64, Double?)? { GridFixture.figure(metrics, "grid_training_rate") }
      #expect(training(try await metrics("G01"))! == (1, 2, 0.5))
      #expect(training(try await metrics("S01", subtree: true))! == (2, 3, 0.6667))
      #expect(training(try await metrics("C01"))! == (0, 0, nil))
      let drill = try await metrics("S01", subtree: true, drill: "grid_training_rate").drill
      #expect(drill.map(\.caseID) == ["", "", ""])
      #expect(drill.map(\.counted) == [true, false, true])
      #expect(drill.map(\.note) == ["gw-a: 2.5 of 2.0 training hours", "gw-b: 1.5 of 2.0 training hours", "gw-c: 2.0 of 2.0 training hours"])

      // The scheme is data: an admin publishes one that weighs training in basic work.
      let current = try await f.call(f.supervisor) { try await evaluation.getScheme(request: .init(), context: $0) }
      var scheme = Civicgrid_V1_SetSchemeRequest()
      scheme.name = "基础工作70(含网格员培训)+社会评价30"
      scheme.basicWork = [("grid_training_rate", 10.0), ("acceptance_rate", 60.0)].map { indicator, points in
        var weight = Civicgrid_V1_SchemeWeight()
        weight.indicator = indicator
        weight.points = points
        return weight
      }
      scheme.socialEvaluationPoints = 30
      scheme.pointsPerListedOrder = 2
      scheme.pointsPerCriticism = 3
      scheme.penaltyCap = 20
      scheme.expectedVersion = current.version
      _ = try await f.call(f.admin) { try await evaluation.setScheme(request: scheme, context: $0) }
      func assessment(_ kind: String) async throws -> [String: (Double, Double, Bool)] {
        var request = Civicgrid_V1_GetAssessmentRequest()
        request.period = "2026-03"
        request.unitKind = kind
        let lines = try await f.call(f.supervisor) { try await evaluation.getAssessment(request: request, context: $0) }.units
        return Dictionary(uniqueKeysWithValues: lines.map { ($0.unitCode, ($0.basicWork, $0.total, $0.noData)) })
      }
      // G01: 70 × (10 × 0.5) / 10 = 35 (acceptance does not apply), social 30 (nobody rated).
      let byGrid = try await assessment("grid")
      #expect(byGrid["G01"]! == (35, 65, false) && byGrid["G02"]! == (70, 100, false))
      // S01: 70 × 0.6667 = 46.67.
      #expect(try await assessment("street")["S01"]! == (46.67, 76.67, false))
    }
  }
}
