public import CivicDomain
public import CivicStore
import Foundation

extension CaseRepository {
  /// Inserts a new case: its row (projection, applicant columns, indicator facts) in one
  /// statement, then its tasks, clocks and events. `submitted_at` and `updated_at` are both
  /// `new.at`, so `CaseRecord(inserted:unitCode:itemName:)` is the row as read back.
  public func insert(_ new: NewCase, calendar: WorkingCalendar) async throws {
    let value = new.change.case
    let facts = try CaseFacts(new.change, calendar: calendar)
    let read = CaseReadColumns(value)
    // Queued: it goes out with the first statement that follows (a task upsert, a side table,
    // the COMMIT), which it precedes. A new case's events and audit row queue behind it.
    try await self.connection.queue(
      """
      INSERT INTO cases (id, kind, state, item_code, item_version, channel, applicant_name, applicant_id_number,
        applicant_phone, unit_id, jurisdiction, deadline, clock_state, is_open, version, snapshot_bytes, submitted_at,
        updated_at, decided_at, accepted, completed_at, last_event_at, clock_deadline, handling_working_days, facts_version,
        clocks, current_stage, approved, access_item)
      VALUES (\(new.id), \(value.kind), \(value.state.rawValue), \(value.item.code), \(value.item.version), \(value.channel.rawValue),
        \(value.applicant), \(new.idNumber), \(new.phone), \(new.unitID), \(new.jurisdiction),
        to_timestamp(\(try value.clock?.runningDeadline(in: calendar)?.secondsSinceEpoch)::bigint), \(value.clock?.state ?? "none"),
        \(CaseKinds.isOpen(kind: value.kind, state: value.state)), \(value.version), \(StoredSnapshot.encode(value)),
        to_timestamp(\(new.at.secondsSinceEpoch)::bigint), to_timestamp(\(new.at.secondsSinceEpoch)::bigint),
        to_timestamp(\(facts.decidedAt)::bigint), \(facts.accepted),
        to_timestamp(\(facts.completedAt)::bigint), to_timestamp(\(facts.lastEventAt)::bigint),
        to_timestamp(\(facts.clockDeadline)::bigint), \(facts.handlingWorkingDays), 1,
        \(read.clocks), \(read.currentStage), \(read.approved), \(new.accessItem))
      """
    )
    try await self.writeParts(id: new.id, old: nil, new: new.change, unitPath: new.unitPath, calendar: calendar)
  }

  /// Updates a case after a transition from `old`: its row, then its changed tasks, clocks and
  /// events. The facts' right-hand sides read the row as it was, so the first decision and
  /// completion stay; a row from before migration 0009 that had already completed keeps
  /// facts_version 0 (its handling time is read from the snapshot).
  public func update(id: Int64, old: Case, new change: CaseChange, unitPath: String, calendar: WorkingCalendar) async throws {
    let new = change.case
    let facts = try CaseFacts(change, calendar: calendar)
    let read = CaseReadColumns(new)
    try await self.connection.execute(
      """
      UPDATE cases SET state = \(new.state.rawValue), version = \(new.version), snapshot = NULL, snapshot_bytes = \(StoredSnapshot.encode(new)),
        clocks = \(read.clocks), current_stage = \(read.currentStage), approved = \(read.approved),
        deadline = to_timestamp(\(try new.clock?.runningDeadline(in: calendar)?.secondsSinceEpoch)::bigint),
        clock_state = \(new.clock?.state ?? "none"), is_open = \(CaseKinds.isOpen(kind: new.kind, state: new.state)), updated_at = now(),
        accepted = CASE WHEN decided_at IS NULL AND \(facts.decidedAt)::bigint IS NOT NULL THEN \(facts.accepted) ELSE accepted END,
        decided_at = coalesce(decided_at, to_timestamp(\(facts.decidedAt)::bigint)),
        completed_at = coalesce(completed_at, to_timestamp(\(facts.completedAt)::bigint)),
        last_event_at = greatest(last_event_at, to_timestamp(\(facts.lastEventAt)::bigint)),
        clock_deadline = to_timestamp(\(facts.clockDeadline)::bigint),
        handling_working_days = coalesce(handling_working_days, \(facts.handlingWorkingDays)::float8),
        facts_version = CASE WHEN facts_version = 1 OR completed_at IS NULL THEN 1 ELSE 0 END
      WHERE id = \(id)
      """
    )
    try await self.writeParts(id: id, old: old, new: change, unitPath: unitPath, calendar: calendar)
  }

  /// Records the access-list item the rule routing case `id` declares (nil: the item's own),
  /// ahead of the command that routes it: its tasks are checked against it (docs/ACCESS.md).
  /// Written only when it changes, so most routes add no row version to the wide `cases` table.
  public func declareAccessItem(_ code: String?, caseID id: Int64) async throws(StoreError) {
    try await self.connection.execute(
      "UPDATE cases SET access_item = \(code) WHERE id = \(id) AND access_item IS DISTINCT FROM \(code)::text"
    )
  }

  /// The rows beside the case row, one statement per table: tasks and clocks that changed since
  /// `old` (all of them for a new case), and the transition's events.
  private func writeParts(id: Int64, old: Case?, new change: CaseChange, unitPath: String, calendar: WorkingCalendar) async throws {
    let new = change.case
    let tasks = new.tasks.filter { task in old.map { $0.tasks.count < task.number || $0.tasks[task.number - 1] != task } ?? true }
    // Every task of every kind is assigned here, so the community access list is enforced
    // here once: tasks new to a unit (a dispatched stage, a transfer, a route, a tier).
    let assigned = tasks.filter { task in old.map { $0.tasks.count < task.number || $0.tasks[task.number - 1].unit != task.unit } ?? true }
    try await AccessListRepository(self.connection).check(unitCodes: assigned.map(\.unit.rawValue), caseID: id, item: new.item)
    // Likewise service purchase contracts: work reaches a social organisation under one only.
    let contracts = try await self.contracts(for: assigned, change: change, calendar: calendar)
    try await self.writeTasks(caseID: id, tasks, calendar: calendar)
    let moved = assigned.filter { task in old.map { $0.tasks.count >= task.number } ?? false }.map(\.number)
    try await self.writeContractTasks(
      caseID: id, links: contracts, moved: moved, changed: tasks, old: old, calendar: calendar,
      at: change.events.map(\.at).max() ?? Instant(secondsSinceEpoch: 0)
    )
    var clocks: [ClockChange] = tasks.map { task in
      let before = old.flatMap { $0.tasks.count >= task.number ? $0.tasks[task.number - 1].clock : nil }
      return ClockChange(task: task.number, old: before, new: task.clock)
    }
    if let clock = new.clock, clock != old?.clock { clocks.append(ClockChange(task: 0, old: old?.clock, new: clock)) }
    try await self.writeClocks(caseID: id, clocks)
    try await self.appendEvents(caseID: id, change: change, unitPath: unitPath)
  }

  /// Upserts `tasks` in one statement; a task naming a unit that does not exist is refused.
  private func writeTasks(caseID: Int64, _ tasks: [CaseTask], calendar: WorkingCalendar) async throws {
    guard !tasks.isEmpty else { return }
    var deadlines: [Int?] = []
    for task in tasks { deadlines.append(try task.clock.runningDeadline(in: calendar)?.secondsSinceEpoch) }
    let affected = try await self.connection.execute(
      """
      INSERT INTO case_tasks (case_id, number, stage, opening, unit_id, state, claimed_by, deadline, version)
      SELECT \(caseID), r.number, r.stage, r.opening, u.id, r.state, r.claimed_by, to_timestamp(r.deadline), r.version
      FROM unnest(\(SQLArray(tasks.map(\.number)))::integer[], \(SQLArray(tasks.map(\.stage)))::integer[],
        \(SQLArray(tasks.map(\.opening)))::integer[], \(SQLArray(tasks.map(\.unit.rawValue)))::text[],
        \(SQLArray(tasks.map(\.state.rawValue)))::text[], \(SQLArray(tasks.map(\.claimedBy?.rawValue)))::text[],
        \(SQLArray(deadlines))::bigint[], \(SQLArray(tasks.map(\.version)))::integer[])
        AS r(number, stage, opening, unit, state, claimed_by, deadline, version)
      JOIN units u ON u.code = r.unit
      ON CONFLICT (case_id, number) DO UPDATE SET unit_id = EXCLUDED.unit_id, state = EXCLUDED.state,
        claimed_by = EXCLUDED.claimed_by, deadline = EXCLUDED.deadline, version = EXCLUDED.version, updated_at = now()
      """
    )
    guard affected == tasks.count else {
      let known = Set(
        try await self.connection.query("SELECT code FROM units WHERE code = ANY(\(SQLArray(tasks.map(\.unit.rawValue)))::text[])")
          .rows.map { row throws(StoreError) in try row.decode(String.self, at: 0) }
      )
      let missing = tasks.first { !known.contains($0.unit.rawValue) }
      throw DomainError.invalidField("unit", "unit \(missing?.unit.rawValue ?? "?") of task \(missing?.number ?? 0) does not exist")
    }
  }

  /// Replaces the pauses and extensions of the clocks that changed them: one DELETE per table
  /// for clocks that had rows before (a new clock has none to delete), one INSERT per table.
  private func writeClocks(caseID: Int64, _ clocks: [ClockChange]) async throws {
    let pausesChanged = clocks.filter { $0.old?.pauses != $0.new.pauses }
    let extensionsChanged = clocks.filter { $0.old?.extensions != $0.new.extensions }
    let stalePauses = pausesChanged.filter { $0.old.map { !$0.pauses.isEmpty } ?? false }.map(\.task)
    if !stalePauses.isEmpty {
      try await self.connection.execute(
        "DELETE FROM case_pauses WHERE case_id = \(caseID) AND task = ANY(\(SQLArray(stalePauses))::integer[])"
      )
    }
    let pauses = pausesChanged.flatMap { clock in clock.new.pauses.enumerated().map { (clock.task, $0.offset, $0.element) } }
    if !pauses.isEmpty {
      try await self.connection.execute(
        """
        INSERT INTO case_pauses (case_id, task, position, started_at, ended_at, reason, caused_by)
        SELECT \(caseID), task, position, to_timestamp(started_at), to_timestamp(ended_at), reason, caused_by
        FROM unnest(\(SQLArray(pauses.map(\.0)))::integer[], \(SQLArray(pauses.map(\.1)))::integer[],
          \(SQLArray(pauses.map(\.2.start.secondsSinceEpoch)))::bigint[], \(SQLArray(pauses.map(\.2.end?.secondsSinceEpoch)))::bigint[],
          \(SQLArray(pauses.map(\.2.reason.rawValue)))::text[], \(SQLArray(pauses.map(\.2.causedBy.description)))::text[])
          AS r(task, position, started_at, ended_at, reason, caused_by)
        """
      )
    }
    let staleExtensions = extensionsChanged.filter { $0.old.map { !$0.extensions.isEmpty } ?? false }.map(\.task)
    if !staleExtensions.isEmpty {
      try await self.connection.execute(
        "DELETE FROM case_extensions WHERE case_id = \(caseID) AND task = ANY(\(SQLArray(staleExtensions))::integer[])"
      )
    }
    let extensions = extensionsChanged.flatMap { clock in clock.new.extensions.enumerated().map { (clock.task, $0.offset, $0.element) } }
    if !extensions.isEmpty {
      try await self.connection.execute(
        """
        INSERT INTO case_extensions (case_id, task, position, added, reason, requested_by, approved_by, approved_at)
        SELECT \(caseID), task, position, added, reason, requested_by, approved_by, to_timestamp(approved_at)
        FROM unnest(\(SQLArray(extensions.map(\.0)))::integer[], \(SQLArray(extensions.map(\.1)))::integer[],
          \(SQLArray(extensions.map(\.2.added.description)))::text[], \(SQLArray(extensions.map(\.2.reason)))::text[],
          \(SQLArray(extensions.map(\.2.requestedBy.description)))::text[], \(SQLArray(extensions.map(\.2.approvedBy.rawValue)))::text[],
          \(SQLArray(extensions.map(\.2.approvedAt.secondsSinceEpoch)))::bigint[])
          AS r(task, position, added, reason, requested_by, approved_by, approved_at)
        """
      )
    }
  }

  /// Appends the transition's events unsequenced, in one statement that also wakes the
  /// sequencer at commit. No lock: the sequencer numbers them after commit, in insertion
  /// order (`SequencerRepository`), so writers of different cases never wait on each other.
  private func appendEvents(caseID: Int64, change: CaseChange, unitPath: String) async throws {
    let events = change.events
    guard !events.isEmpty else { return }
    let descriptions = events.map(\.kind.feedDescription)
    var payloads: [String] = []
    for event in events { payloads.append(try Self.json(event)) }
    let value = change.case
    let insert: SQLQuery = """
      WITH inserted AS (
        INSERT INTO case_events (case_id, task, kind, summary, at, by_party, case_state, case_version, item_code, unit_path, payload)
        SELECT \(caseID), task, kind, summary, to_timestamp(at), by_party, \(value.state.rawValue), \(value.version),
          \(value.item.code), \(unitPath), payload::jsonb
        FROM unnest(\(SQLArray(events.map { $0.task ?? 0 }))::integer[], \(SQLArray(descriptions.map(\.kind)))::text[],
          \(SQLArray(descriptions.map(\.summary)))::text[], \(SQLArray(events.map(\.at.secondsSinceEpoch)))::bigint[],
          \(SQLArray(events.map(\.by.description)))::text[], \(SQLArray(payloads))::text[])
          WITH ORDINALITY AS r(task, kind, summary, at, by_party, payload, position)
        ORDER BY position
        RETURNING id
      )
      SELECT pg_notify(\(SequencerRepository.wakeChannel), '') FROM (SELECT 1 FROM inserted LIMIT 1) one
      """
    // Nothing is read back: it goes out with the transaction's next statement or its COMMIT.
    try await self.connection.queue(insert.named("INSERT case_events"))
  }

  /// JSON with sorted keys: event payloads, and snapshots as servers before migration 0018 wrote them.
  static func json<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}

/// A clock of a case (task 0) or of one of its tasks, before and after a transition.
struct ClockChange {
  var task: Int
  var old: WorkClock?
  var new: WorkClock
}

/// The indicator facts of a transition (migration 0009, docs/METRICS.md): decision,
/// acceptance, completion, newest event, clock deadline, handling time, as column values.
struct CaseFacts {
  var decidedAt: Int?
  var accepted: Bool
  var completedAt: Int?
  var lastEventAt: Int?
  var clockDeadline: Int?
  var handlingWorkingDays: Double?

  init(_ change: CaseChange, calendar: WorkingCalendar) throws {
    let events = CaseIndicatorFacts(events: change.events)
    let clock = try CaseIndicatorFacts.clock(of: change.case, completedAt: events.completedAt, in: calendar)
    self.decidedAt = events.decidedAt?.secondsSinceEpoch
    self.accepted = events.accepted
    self.completedAt = events.completedAt?.secondsSinceEpoch
    self.lastEventAt = events.lastEventAt?.secondsSinceEpoch
    self.clockDeadline = clock.deadline?.secondsSinceEpoch
    self.handlingWorkingDays = clock.handlingWorkingDays
  }
}
