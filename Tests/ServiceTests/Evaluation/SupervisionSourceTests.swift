@testable import CivicServices
import CivicDomain
import CivicProtos
import CivicStore
import Foundation
import GRPCCore
import Testing

/// Indicator 7 (order reply on-time rate), urges and penalties read from the supervision tables
/// of migration 0006 (docs/METRICS.md).
@Suite("Evaluation: orders, urges and criticisms from the supervision tables", .serialized, .timeLimit(.minutes(5)))
struct SupervisionSourceTests {
  typealias F = EvaluationFixture

  @Test("replies owed per order task, urges and criticisms count for the unit that received them")
  func supervisionTables() async throws {
    try await F.with { f in
      // Two orders whose reply task is CIVIL's: replied within its 3 working days (due 11-05), and late.
      let onTime = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      let late = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-09", 17, 30))
      for (id, level) in [(onTime, "listed"), (late, "ordinary")] {
        try await f.pool.query("UPDATE cases SET kind = 'supervisionOrder' WHERE id = $1", [id])
        try await f.pool.query(
          """
          INSERT INTO supervision_orders (case_id, level, issued_level, title, requirement, reply_working_days, issued_by, issued_at)
          VALUES ($1, $2, $2, 'order', 'reply', 3, 'sup@D01', to_timestamp($3::bigint))
          """,
          [id, level, F.at("2026-11-02", 9).secondsSinceEpoch]
        )
      }
      let civil = f.base.units["CIVIL"]!
      try await f.pool.query(
        """
        INSERT INTO supervision_alerts (kind, case_id, unit_id, unit_path, summary, at)
        VALUES ('urge', $1, $2, $3, 'urged', to_timestamp($4::bigint)), ('warning', $1, $2, $3, 'yellow', to_timestamp($4::bigint))
        """,
        [late, civil.id, civil.path, F.at("2026-11-04").secondsSinceEpoch]
      )
      try await f.pool.query(
        """
        INSERT INTO supervision_notices (kind, unit_id, period, title, body, case_ids, published_by, published_at)
        VALUES ('criticism', $1, '2026-11', 'late replies', 'late', ARRAY[$2::bigint], 'sup@D01', to_timestamp($3::bigint)),
               ('commendation', $1, '2026-11', 'good', 'good', '{}', 'sup@D01', to_timestamp($3::bigint))
        """,
        [civil.id, late, F.at("2026-11-20").secondsSinceEpoch]
      )

      let figures = try await f.metrics(f.base.supervisor, unit: "CIVIL", period: "2026-11")
      #expect(figures["order_reply_on_time_rate"]?.denominator == 2)
      #expect(figures["order_reply_on_time_rate"]?.value == 0.5)
      #expect(figures["urge_count"]?.value == 1)
      let drill = try await f.metricsMessage(f.base.supervisor, unit: "CIVIL", period: "2026-11", drill: "order_reply_on_time_rate").drill
      #expect(drill.map(\.caseID) == [onTime, late].map(CaseNumber.format))
      #expect(drill.map(\.counted) == [true, false])
      // Orders are not service applications: the centre's figures do not see them.
      let centre = try await f.metrics(f.base.supervisor, unit: "CTR", period: "2026-11")
      #expect(centre["acceptance_rate"]?.denominator == 0)

      // Assessment: order replies 15 × 0.5 scaled to 70 → 35, social 30, −2 listed −3 criticism.
      var request = Civicgrid_V1_GetAssessmentRequest()
      request.period = "2026-11"
      request.unitKind = "department"
      let assessment = try await f.call(f.base.supervisor) { try await f.evaluation.getAssessment(request: request, context: $0) }
      let line = try #require(assessment.units.first { $0.unitCode == "CIVIL" })
      #expect(line.basicWork == 35)
      #expect(line.penalty == 5)
      #expect(line.listedOrders == 1)
      #expect(line.criticisms == 1)
      #expect(line.total == 60)
      // The other departments took nothing in: no data, listed after CIVIL, unranked (issue 13).
      #expect(assessment.units.first?.unitCode == "CIVIL" && line.rank == 1)
      #expect(assessment.units.dropFirst().allSatisfy { $0.noData && $0.rank == 0 })
    }
  }
}
