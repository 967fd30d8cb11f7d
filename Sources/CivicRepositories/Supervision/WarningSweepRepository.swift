public import CivicDomain
public import CivicStore
import Foundation

/// What the warning sweeper reads and writes (docs/SUPERVISION.md): it claims due cases from
/// the index on `case_warnings.next_at`, whose rows carry the clocks, the tasks' units and the
/// recorded levels, and writes order proposals and levels, each as one statement over the whole
/// batch (arrays, `unnest`). `case_tasks` is read only for clocks stored before they held units.
public struct WarningSweepRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// A due case as claimed: its kind, calendar, clocks, recorded levels and intake unit.
  public struct DueCase: Sendable {
    public var id: Int64
    public var kind: String
    public var jurisdiction: String
    public var clocks: CaseClocks
    public var storedLevel: WarningLevel
    /// The level recorded for each open task not green, by number.
    public var taskLevels: [Int: WarningLevel]
    public var unit: AlertUnit
  }

  /// What the levels depend on (`CaseClocks`): the compact clocks the warning row carries
  /// (migration 0032, copied from `cases.clocks`), and only for a case without them the part of
  /// its JSON snapshot with the same content.
  static let clocks: SQLQuery = """
    w.clocks, CASE WHEN w.clocks IS NULL THEN (
      SELECT jsonb_build_object('clock', c.snapshot->'clock', 'warningPolicy', c.snapshot->'warningPolicy', 'tasks', c.snapshot->'tasks')::text
      FROM cases c WHERE c.id = w.case_id
    ) END
    """

  /// Claims up to `limit` cases due at `now`: their warning rows, locked against other
  /// sweepers (SKIP LOCKED), which carry all the claim reads of the case (its kind,
  /// jurisdiction, intake unit and clocks, copied by the trigger that makes it due), so the
  /// wide `cases` table is not read. The case rows are not locked either: a transition that changes a claimed
  /// case waits for the batch (its trigger writes the warning row) and makes the case due again,
  /// and locking a case row dirties a page of the wide `cases` table (a full-page image in the
  /// WAL after each checkpoint), ten times the WAL of the whole claim. `lockCases` locks the
  /// few a batch applies a command to.
  public func claimDue(at now: Instant, limit: Int) async throws(StoreError) -> [DueCase] {
    let rows = try await self.connection.query(
      """
      SELECT w.case_id, w.kind, w.jurisdiction, \(Self.clocks), w.level, w.task_levels, u.id, u.path, u.code
      FROM case_warnings w JOIN units u ON u.id = w.unit_id
      WHERE w.next_at <= to_timestamp(\(now.secondsSinceEpoch)::bigint)
      ORDER BY w.next_at, w.case_id
      LIMIT \(limit)
      FOR UPDATE OF w SKIP LOCKED
      """
    ).decode((Int64, String, String, SQLBytes?, String?, String, String, Int64, String, String).self)
    var claimed: [DueCase] = []
    claimed.reserveCapacity(rows.count)
    for (id, kind, jurisdiction, clocks, json, level, taskLevels, unitID, unitPath, unitCode) in rows {
      claimed.append(
        DueCase(
          id: id,
          kind: kind,
          jurisdiction: jurisdiction,
          clocks: try StoredClocks.decode(clocks, orSnapshot: json),
          storedLevel: WarningLevel(stored: level) ?? .green,
          taskLevels: try Self.taskLevels(taskLevels),
          unit: AlertUnit(id: unitID, path: unitPath, code: unitCode)
        )
      )
    }
    return claimed
  }

  /// Locks the case rows of `caseIDs` that no transition holds now (SKIP LOCKED, so a batch
  /// that holds warning rows never waits for a transition that waits for one of them) and
  /// returns their ids.
  public func lockCases(_ caseIDs: [Int64]) async throws(StoreError) -> Set<Int64> {
    guard !caseIDs.isEmpty else { return [] }
    let rows = try await self.connection.query(
      "SELECT id FROM cases WHERE id = ANY(\(SQLArray(caseIDs))::bigint[]) ORDER BY id FOR UPDATE SKIP LOCKED"
    ).decode(Int64.self)
    return Set(rows)
  }

  /// The units of the open tasks of `caseIDs`, by case and task number: for cases whose clocks
  /// were stored before they carried units (format 1).
  public func openTaskUnits(of caseIDs: [Int64]) async throws(StoreError) -> [Int64: [Int: AlertUnit]] {
    guard !caseIDs.isEmpty else { return [:] }
    let rows = try await self.connection.query(
      """
      SELECT t.case_id, t.number, u.id, u.path, u.code FROM case_tasks t JOIN units u ON u.id = t.unit_id
      WHERE t.case_id = ANY(\(SQLArray(caseIDs))::bigint[]) AND t.state IN ('pending', 'claimed')
      """
    ).decode((Int64, Int, Int64, String, String).self)
    var units: [Int64: [Int: AlertUnit]] = [:]
    for (caseID, number, unitID, unitPath, unitCode) in rows {
      units[caseID, default: [:]][number] = AlertUnit(id: unitID, path: unitPath, code: unitCode)
    }
    return units
  }

  /// The units named by `codes` (the tasks' units of a batch's clocks), by code.
  public func units(_ codes: Set<String>) async throws(StoreError) -> [String: AlertUnit] {
    let found = try await UnitRepository(self.connection).idsAndPaths(codes, within: UnitRepository.everywhere)
    return Dictionary(uniqueKeysWithValues: found.map { ($0.key, AlertUnit(id: $0.value.id, path: $0.value.path, code: $0.key)) })
  }

  /// `case_warnings.task_levels` as stored: `number=level` pairs, comma-separated.
  static func taskLevels(_ text: String) throws(StoreError) -> [Int: WarningLevel] {
    guard !text.isEmpty else { return [:] }
    var levels: [Int: WarningLevel] = [:]
    for pair in text.split(separator: ",") {
      let parts = pair.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, let number = Int(parts[0]), let level = WarningLevel(stored: String(parts[1])) else {
        throw StoreError(code: .decoding, serverMessage: "case_warnings.task_levels: '\(pair)' is not number=level")
      }
      levels[number] = level
    }
    return levels
  }

  /// The stored form of `levels`: the tasks not green, by number.
  static func taskLevelsText(_ levels: [Int: WarningLevel]) -> String {
    levels.filter { $0.value != .green }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
  }

  /// Proposes an order for each overdue clock not proposed before (at most one per clock);
  /// returns the (case, task) pairs inserted now, the only ones to announce.
  public func propose(_ proposals: [(caseID: Int64, task: Int, unitID: Int64)], at now: Instant) async throws(StoreError) -> [(caseID: Int64, task: Int)] {
    guard !proposals.isEmpty else { return [] }
    let rows = try await self.connection.query(
      """
      INSERT INTO supervision_order_proposals (case_id, task, unit_id, proposed_at)
      SELECT r.case_id, r.task, r.unit_id, to_timestamp(\(now.secondsSinceEpoch)::bigint)
      FROM unnest(\(SQLArray(proposals.map(\.caseID)))::bigint[], \(SQLArray(proposals.map(\.task)))::integer[],
        \(SQLArray(proposals.map(\.unitID)))::bigint[]) AS r(case_id, task, unit_id)
      ON CONFLICT DO NOTHING
      RETURNING case_id, task
      """
    ).decode((Int64, Int).self)
    return rows.map { (caseID: $0.0, task: $0.1) }
  }

  /// What the sweep records for one case: its level, its open tasks' levels and when to look
  /// at it next (nil: never, until it changes).
  public struct RecordedLevels: Sendable {
    public var id: Int64
    public var level: WarningLevel
    /// Every open task's level by number (green ones may be left out).
    public var tasks: [Int: WarningLevel]
    public var nextAt: Int?

    public init(id: Int64, level: WarningLevel, tasks: [Int: WarningLevel], nextAt: Int?) {
      self.id = id
      self.level = level
      self.tasks = tasks
      self.nextAt = nextAt
    }
  }

  /// Records the levels of every case of the batch, one statement for all of them. Nothing is
  /// read back: in the batch's transaction it goes out with the next statement
  /// (`StoreConnection.queue`).
  public func setLevels(_ levels: [RecordedLevels]) async throws(StoreError) {
    guard !levels.isEmpty else { return }
    try await self.connection.queue(
      """
      UPDATE case_warnings w SET level = r.level, task_levels = r.task_levels, next_at = to_timestamp(r.next_at)
      FROM unnest(\(SQLArray(levels.map(\.id)))::bigint[], \(SQLArray(levels.map(\.level.description)))::text[],
        \(SQLArray(levels.map { Self.taskLevelsText($0.tasks) }))::text[], \(SQLArray(levels.map(\.nextAt)))::bigint[])
        AS r(id, level, task_levels, next_at)
      WHERE w.case_id = r.id
      """
    )
  }
}
