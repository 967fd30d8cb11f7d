import CivicDomain
import CivicStore
import Foundation
import GRPCCore

/// Writes one case transition inside the caller's transaction: the case row (snapshot and its
/// projection), the changed task rows, the changed clocks' pauses and extensions, and one
/// `case_events` row per timeline event.
///
/// Event order: before its first event row, the transaction takes `eventOrderLock` (an advisory
/// transaction lock, held until commit). Sequence values are drawn only under that lock, so
/// they are drawn in commit order, and a reader that sees sequence n also sees every smaller
/// committed sequence. The price is that transactions writing events serialise from their
/// first event row to their commit (a few statements); see docs/CASES.md.
enum CaseWriter {
  static let eventOrderLock: Int64 = 0x4347_4556  // "CGEV"
  static let notifyChannel = "case_events"

  static func isOpen(_ state: CaseState) -> Bool {
    ![CaseState.refused, .completed, .delivered, .closed, .rectified, .voided].contains(state)
  }

  static func json<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  static func deadline(_ clock: WorkClock?, in calendar: WorkingCalendar) throws -> Int? {
    guard let clock, clock.stoppedAt == nil else { return nil }
    return try clock.deadline(in: calendar)?.secondsSinceEpoch
  }

  /// A new case id, drawn before the case is built (its number is part of the value).
  static func nextID(on connection: StoreConnection) async throws -> Int64 {
    guard let id = try await connection.query("SELECT nextval(pg_get_serial_sequence('cases', 'id'))").scalar(Int64.self) else {
      throw RPCError(code: .internalError, message: "no case id")
    }
    return id
  }

  /// Inserts a new case: its row (projection, applicant columns, indicator facts) in one
  /// statement, then its tasks, clocks and events. Internal cases (orders, rectifications) have
  /// no applicant ID number or phone.
  static func insert(
    id: Int64,
    _ change: CaseChange,
    unitID: Int64,
    unitPath: String,
    jurisdiction: String,
    calendar: WorkingCalendar,
    at: Instant,
    idNumber: String = "",
    phone: String = "",
    on connection: StoreConnection
  ) async throws {
    let value = change.case
    try await connection.execute(
      """
      INSERT INTO cases (id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number,
        applicant_phone, unit_id, jurisdiction, deadline, clock_state, is_open, version, snapshot, submitted_at,
        decided_at, accepted, completed_at, last_event_at, clock_deadline, handling_working_days, facts_version)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, to_timestamp($12::bigint), $13, $14, $15, $16::jsonb,
        to_timestamp($17::bigint), to_timestamp($18::bigint), $19, to_timestamp($20::bigint), to_timestamp($21::bigint),
        to_timestamp($22::bigint), $23, 1)
      """,
      [
        id, value.kind, value.state.rawValue, value.item.code, value.item.version, value.channel.rawValue, value.applicant,
        idNumber, phone, unitID, jurisdiction, try self.deadline(value.clock, in: calendar), value.clock?.state ?? "none",
        self.isOpen(value.state), value.version, try self.json(value), at.secondsSinceEpoch,
      ] + (try self.factBinds(change, calendar: calendar))
    )
    try await self.writeParts(id: id, old: nil, new: change, unitPath: unitPath, calendar: calendar, on: connection)
  }

  /// Updates a case after a transition from `old`: its row, then its changed tasks, clocks and
  /// events. The facts' right-hand sides read the row as it was, so the first decision and
  /// completion stay; a row from before migration 0009 that had already completed keeps
  /// facts_version 0 (its handling time is read from the snapshot).
  static func write(
    id: Int64,
    old: Case,
    new change: CaseChange,
    unitPath: String,
    calendar: WorkingCalendar,
    on connection: StoreConnection
  ) async throws {
    let new = change.case
    try await connection.execute(
      """
      UPDATE cases SET state = $2, version = $3, snapshot = $4::jsonb, deadline = to_timestamp($5::bigint),
        clock_state = $6, is_open = $7, updated_at = now(),
        accepted = CASE WHEN decided_at IS NULL AND $8::bigint IS NOT NULL THEN $9 ELSE accepted END,
        decided_at = coalesce(decided_at, to_timestamp($8::bigint)),
        completed_at = coalesce(completed_at, to_timestamp($10::bigint)),
        last_event_at = greatest(last_event_at, to_timestamp($11::bigint)),
        clock_deadline = to_timestamp($12::bigint),
        handling_working_days = coalesce(handling_working_days, $13::float8),
        facts_version = CASE WHEN facts_version = 1 OR completed_at IS NULL THEN 1 ELSE 0 END
      WHERE id = $1
      """,
      [
        id, new.state.rawValue, new.version, try self.json(new), try self.deadline(new.clock, in: calendar),
        new.clock?.state ?? "none", self.isOpen(new.state),
      ] + (try self.factBinds(change, calendar: calendar))
    )
    try await self.writeParts(id: id, old: old, new: change, unitPath: unitPath, calendar: calendar, on: connection)
  }

  /// The rows beside the case row: tasks and clocks that changed since `old` (all of them for a
  /// new case), and the transition's events.
  private static func writeParts(
    id: Int64,
    old: Case?,
    new change: CaseChange,
    unitPath: String,
    calendar: WorkingCalendar,
    on connection: StoreConnection
  ) async throws {
    let new = change.case
    for task in new.tasks where old.map({ $0.tasks.count < task.number || $0.tasks[task.number - 1] != task }) ?? true {
      let affected = try await connection.execute(
        """
        INSERT INTO case_tasks (case_id, number, stage, opening, unit_id, state, claimed_by, deadline, version)
        SELECT $1, $2, $3, $4, u.id, $6, $7, to_timestamp($8::bigint), $9 FROM units u WHERE u.code = $5
        ON CONFLICT (case_id, number) DO UPDATE SET unit_id = EXCLUDED.unit_id, state = EXCLUDED.state,
          claimed_by = EXCLUDED.claimed_by, deadline = EXCLUDED.deadline, version = EXCLUDED.version, updated_at = now()
        """,
        [
          id, task.number, task.stage, task.opening, task.unit.rawValue, task.state.rawValue, task.claimedBy?.rawValue,
          try self.deadline(task.clock, in: calendar), task.version,
        ]
      )
      guard affected == 1 else { throw DomainError.invalidField("unit", "unit \(task.unit) of task \(task.number) does not exist") }
      let before = old.flatMap { $0.tasks.count >= task.number ? $0.tasks[task.number - 1].clock : nil }
      try await self.writeClock(caseID: id, task: task.number, old: before, new: task.clock, on: connection)
    }
    if let clock = new.clock, clock != old?.clock {
      try await self.writeClock(caseID: id, task: 0, old: old?.clock, new: clock, on: connection)
    }
    try await self.appendEvents(caseID: id, change: change, unitPath: unitPath, on: connection)
  }

  /// The indicator facts of a transition (migration 0009, docs/METRICS.md) as six binds:
  /// decision, acceptance, completion, newest event, clock deadline, handling time.
  private static func factBinds(_ change: CaseChange, calendar: WorkingCalendar) throws -> [any SQLEncodable] {
    let events = CaseIndicatorFacts(events: change.events)
    let clock = try CaseIndicatorFacts.clock(of: change.case, completedAt: events.completedAt, in: calendar)
    return [
      events.decidedAt?.secondsSinceEpoch, events.accepted, events.completedAt?.secondsSinceEpoch,
      events.lastEventAt?.secondsSinceEpoch, clock.deadline?.secondsSinceEpoch, clock.handlingWorkingDays,
    ]
  }

  private static func writeClock(caseID: Int64, task: Int, old: WorkClock?, new: WorkClock, on connection: StoreConnection) async throws {
    if old?.pauses != new.pauses {
      try await connection.execute("DELETE FROM case_pauses WHERE case_id = $1 AND task = $2", [caseID, task])
      for (position, pause) in new.pauses.enumerated() {
        try await connection.execute(
          """
          INSERT INTO case_pauses (case_id, task, position, started_at, ended_at, reason, caused_by)
          VALUES ($1, $2, $3, to_timestamp($4::bigint), to_timestamp($5::bigint), $6, $7)
          """,
          [
            caseID, task, position, pause.start.secondsSinceEpoch, pause.end?.secondsSinceEpoch, pause.reason.rawValue,
            pause.causedBy.description,
          ]
        )
      }
    }
    if old?.extensions != new.extensions {
      try await connection.execute("DELETE FROM case_extensions WHERE case_id = $1 AND task = $2", [caseID, task])
      for (position, granted) in new.extensions.enumerated() {
        try await connection.execute(
          """
          INSERT INTO case_extensions (case_id, task, position, added, reason, requested_by, approved_by, approved_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8::bigint))
          """,
          [
            caseID, task, position, granted.added.description, granted.reason, granted.requestedBy.description,
            granted.approvedBy.rawValue, granted.approvedAt.secondsSinceEpoch,
          ]
        )
      }
    }
  }

  private static func appendEvents(caseID: Int64, change: CaseChange, unitPath: String, on connection: StoreConnection) async throws {
    guard !change.events.isEmpty else { return }
    try await connection.query("SELECT pg_advisory_xact_lock($1)", [self.eventOrderLock])
    var last: Int64 = 0
    for event in change.events {
      let (kind, summary) = event.kind.feedDescription
      let rows = try await connection.query(
        """
        INSERT INTO case_events (case_id, task, kind, summary, at, by_party, case_state, case_version, item_code, unit_path, payload)
        VALUES ($1, $2, $3, $4, to_timestamp($5::bigint), $6, $7, $8, $9, $10, $11::jsonb)
        RETURNING seq
        """,
        [
          caseID, event.task ?? 0, kind, summary, event.at.secondsSinceEpoch, event.by.description,
          change.case.state.rawValue, change.case.version, change.case.item.code, unitPath, try self.json(event),
        ]
      ).rows
      last = try rows[0].decode(Int64.self, at: 0)
    }
    // Delivered at commit; watchers then read everything after their cursor.
    try await connection.query("SELECT pg_notify($1, $2)", [self.notifyChannel, String(last)])
  }
}
