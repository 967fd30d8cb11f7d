import CivicDomain
import CivicProtos
import CivicStore
import Foundation
import Testing

@testable import CivicServices

/// The indicator facts CaseRepository keeps on the case row (migration 0009) and the snapshot
/// fallback for rows written before it.
@Suite("Indicator facts on the case row", .serialized, .timeLimit(.minutes(5)))
struct IndicatorFactsTests {
  typealias F = EvaluationFixture

  @Test("each transition writes the decision, completion, newest event, clock deadline and handling time")
  func written() async throws {
    try await F.with { f in
      let late = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-09", 17, 30))
      let refused = try await f.seedCase(submitted: F.at("2026-11-03", 9), decision: .refuse)
      let open = try await f.seedCase(submitted: F.at("2026-10-29", 9))
      let rows = try await f.pool.query(
        """
        SELECT id, extract(epoch FROM decided_at)::bigint, accepted, extract(epoch FROM completed_at)::bigint,
          extract(epoch FROM last_event_at)::bigint, extract(epoch FROM clock_deadline)::bigint, handling_working_days, facts_version
        FROM cases WHERE id = ANY($1::bigint[]) ORDER BY id
        """,
        ["{\(late),\(refused),\(open)}"]
      ).rows
      #expect(rows.count == 3)
      var facts: [Int64: [String]] = [:]
      for row in rows {
        facts[try row.decode(Int64.self, at: 0)] = try (1...7).map { try row.decode(String?.self, at: $0) ?? "-" }
      }
      let s = { (instant: Instant) in String(instant.secondsSinceEpoch) }
      // Accepted 30 minutes after submission, due 11-05 17:30 (3 working days), completed 11-09: 5.0 days.
      #expect(
        facts[late] == [
          s(F.at("2026-11-02", 9, 30)), "t", s(F.at("2026-11-09", 17, 30)), s(F.at("2026-11-09", 17, 30)), s(F.at("2026-11-05", 17, 30)),
          "5", "1",
        ]
      )
      // Refused: the clock (started at submission) keeps its deadline, 3 working days on; no handling time.
      #expect(
        facts[refused] == [s(F.at("2026-11-03", 9, 30)), "f", "-", s(F.at("2026-11-03", 9, 30)), s(F.at("2026-11-06", 17, 30)), "-", "1"]
      )
      #expect(facts[open]?[0] == s(F.at("2026-10-29", 9, 30)))
      #expect(facts[open]?[2] == "-", "not completed")
      #expect(facts[open]?[5] == "-", "no handling time while open")
    }
  }

  @Test("rows from before migration 0009 (facts_version 0) give the same figures from their snapshot")
  func snapshotFallback() async throws {
    try await F.with { f in
      _ = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      _ = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-09", 17, 30))
      _ = try await f.seedCase(submitted: F.at("2026-11-03", 9), decision: .refuse)
      _ = try await f.seedCase(submitted: F.at("2026-10-29", 9))
      f.clock.set(F.at("2026-12-05"))
      let fromFacts = try await f.metrics(f.base.supervisor, unit: "CTR", period: "2026-11")
      #expect(fromFacts["on_time_completion_rate"]?.denominator == 3)
      #expect(fromFacts["average_handling_days"]?.numerator == 7)

      try await f.pool.query("UPDATE cases SET facts_version = 0, clock_deadline = NULL, handling_working_days = NULL")
      let fromSnapshots = try await f.metrics(f.base.supervisor, unit: "CTR", period: "2026-11")
      #expect(fromSnapshots == fromFacts)
    }
  }
}
