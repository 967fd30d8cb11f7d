import CivicDomain
import CivicProtos
import CivicStore
import Foundation
import Testing

@testable import CivicServices

/// A bad rating's rectification is a case on the engine (docs/EVALUATION.md): the warning
/// sweeper watches its clock like any task's, and its steps are timeline events in `case_events`.
@Suite("Rectification cases against PostgreSQL", .serialized, .timeLimit(.minutes(5)))
struct RectificationCaseTests {
  typealias F = EvaluationFixture

  @Test("a bad rating's rectification is warned on by the sweeper: yellow, red, overdue once each for the unit; its steps are case events")
  func sweptLikeAnyTask() async throws {
    try await F.with { f in
      let rated = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      // Thursday 5 November, 10:00: due in 5 working days, Thursday 12 November.
      let rating = try await f.rate(rated, .completion, .dissatisfied, at: F.at("2026-11-05"), comment: "rude at the window")
      let number = rating.rectificationID
      let id = try CaseNumber.parse(number)
      let stored = try await f.pool.query(
        "SELECT c.kind, c.state, c.item_code, c.is_open, c.version, u.code FROM cases c JOIN units u ON u.id = c.unit_id WHERE c.id = $1",
        [id]
      ).rows[0]
      #expect(try stored.decode(String.self, at: 0) == "rectification")
      #expect(try stored.decode(String.self, at: 1) == "rectifying")
      #expect(try stored.decode(String.self, at: 2) == "RECTIFICATION")
      #expect(try stored.decode(Bool.self, at: 3))
      #expect(try stored.decode(Int.self, at: 4) == 2)
      #expect(try stored.decode(String.self, at: 5) == "CTR")
      let task = try await f.pool.query(
        "SELECT u.code, t.state FROM case_tasks t JOIN units u ON u.id = t.unit_id WHERE t.case_id = $1",
        [id]
      ).rows
      #expect(task.count == 1)
      #expect(try task[0].decode(String.self, at: 0) == "CTR" && task[0].decode(String.self, at: 1) == "pending")

      let clock = ScriptedClock(F.at("2026-11-05"))
      let sweeper = WarningSweeper(store: f.pool, logger: CaseFixture.logger, now: clock.reader)
      try await sweeper.sweep()
      for _ in 0..<(24 * 10) {
        clock.advance(seconds: 3600)
        try await sweeper.sweep()
      }
      let warnings = try await f.pool.query(
        "SELECT task, level, previous_level, unit_path, case_kind FROM supervision_alerts WHERE kind = 'warning' AND case_id = $1 ORDER BY seq",
        [id]
      ).rows
      #expect(try warnings.map { try $0.decode(String.self, at: 1) } == ["yellow", "red", "overdue"])
      #expect(try warnings.map { try $0.decode(String.self, at: 2) } == ["green", "yellow", "red"])
      #expect(try warnings.allSatisfy { try $0.decode(Int.self, at: 0) == 1 })
      #expect(try warnings.allSatisfy { try $0.decode(String.self, at: 3) == f.base.units["CTR"]!.path })
      #expect(try warnings.allSatisfy { try $0.decode(String.self, at: 4) == "rectification" })
      // Red from local midnight of the deadline's date, overdue after it.
      let changedAt = try await f.pool.query(
        "SELECT extract(epoch FROM at)::bigint FROM supervision_alerts WHERE kind = 'warning' AND case_id = $1 ORDER BY seq",
        [id]
      ).rows.map { F.calendar.localDate(of: Instant(secondsSinceEpoch: try $0.decode(Int.self, at: 0))) }
      #expect(changedAt[1] == CivilDate("2026-11-12") && changedAt[2] == CivilDate("2026-11-12"))
      // The urge at yellow, and (a rectification escalates by a supervision order) a proposal when overdue.
      let counts = try await f.pool.query(
        "SELECT kind, count(*) FROM supervision_alerts WHERE case_id = $1 GROUP BY kind ORDER BY kind",
        [id]
      ).rows.map { "\(try $0.decode(String.self, at: 0))=\(try $0.decode(Int.self, at: 1))" }
      #expect(counts == ["orderProposed=1", "urge=1", "warning=3"])
      #expect(try await f.pool.query("SELECT count(*) FROM supervision_order_proposals WHERE case_id = $1", [id]).scalar(Int.self) == 1)
      #expect(try await sweeper.sweep().changes == 0)

      // Report and return visit through the engine: state, version, events; the case closes.
      f.clock.set(F.at("2026-11-16"))
      var report = Civicgrid_V1_ReportRectificationRequest()
      report.rectificationID = number
      report.expectedVersion = 2
      report.report = "the clerk apologised; training held"
      let reported = try await f.call(f.base.clerk) { try await f.evaluation.reportRectification(request: report, context: $0) }
      #expect(reported.state == "awaitingReturnVisit" && reported.version == 3 && reported.report == report.report)
      #expect(try await sweeper.sweep().changes == 0, "a finished task has no more levels")
      var visit = Civicgrid_V1_RecordReturnVisitRequest()
      visit.rectificationID = number
      visit.expectedVersion = 3
      visit.satisfied = false
      visit.note = "still unhappy"
      let visited = try await f.call(f.base.supervisor) { try await f.evaluation.recordReturnVisit(request: visit, context: $0) }
      #expect(
        visited.state == "rectified" && visited.version == 4 && !visited.returnVisitSatisfied && visited.returnVisitNote == "still unhappy"
      )
      #expect(try await f.pool.query("SELECT is_open FROM cases WHERE id = $1", [id]).scalar(Bool.self) == false)

      let events = try await f.pool.query("SELECT kind, task, case_version FROM case_events WHERE case_id = $1 ORDER BY seq", [id]).rows
      #expect(
        try events.map { try $0.decode(String.self, at: 0) } == [
          "submitted", "stateChanged", "stageOpened", "taskCreated", "taskApproved", "stateChanged", "returnVisited", "stateChanged",
        ]
      )
      #expect(try events.map { try $0.decode(Int.self, at: 2) } == [2, 2, 2, 2, 3, 3, 4, 4])
      let summaries = try await f.pool.query(
        "SELECT summary FROM case_events WHERE case_id = $1 AND kind IN ('taskApproved', 'returnVisited') ORDER BY seq",
        [id]
      ).rows.map { try $0.decode(String.self, at: 0) }
      #expect(summaries == ["approved: the clerk apologised; training held", "return visit: citizen not satisfied: still unhappy"])
    }
  }

  @Test("an upheld appeal voids the open rectification through the engine: its task is withdrawn and the sweeper stops")
  func voidedByAppeal() async throws {
    try await F.with { f in
      let rated = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      let rating = try await f.rate(rated, .completion, .veryDissatisfied, at: F.at("2026-11-05"), comment: "wanted another result")
      let id = try CaseNumber.parse(rating.rectificationID)
      var appeal = Civicgrid_V1_FileAppealRequest()
      appeal.ratingID = rating.id
      appeal.reason = "the refusal was lawful"
      let filed = try await f.call(f.base.clerk) { try await f.evaluation.fileAppeal(request: appeal, context: $0) }
      var decide = Civicgrid_V1_DecideAppealRequest()
      decide.appealID = filed.id
      decide.uphold = true
      decide.note = "lawful"
      f.clock.set(F.at("2026-11-06"))
      _ = try await f.call(f.base.supervisor) { try await f.evaluation.decideAppeal(request: decide, context: $0) }
      let row = try await f.pool.query("SELECT state, is_open, version FROM cases WHERE id = $1", [id]).rows[0]
      #expect(try row.decode(String.self, at: 0) == "voided" && !row.decode(Bool.self, at: 1) && row.decode(Int.self, at: 2) == 3)
      #expect(try await f.pool.query("SELECT state FROM case_tasks WHERE case_id = $1", [id]).scalar(String.self) == "withdrawn")
      let kinds = try await f.pool.query("SELECT kind FROM case_events WHERE case_id = $1 AND case_version = 3 ORDER BY seq", [id])
        .rows.map { try $0.decode(String.self, at: 0) }
      #expect(kinds == ["taskWithdrawn", "refused", "stateChanged"])
      let clock = ScriptedClock(F.at("2026-11-06"))
      let sweeper = WarningSweeper(store: f.pool, logger: CaseFixture.logger, now: clock.reader)
      clock.advance(seconds: 20 * 86_400)
      try await sweeper.sweep()
      #expect(try await f.pool.query("SELECT count(*) FROM supervision_alerts WHERE case_id = $1", [id]).scalar(Int.self) == 0)
    }
  }
}
