public import CivicDomain
public import CivicStore
public import Foundation

extension CaseRepository {
  /// The cases `filter` selects, newest first, as their summaries (no snapshot decoded).
  public func list(_ filter: CaseListFilter) async throws(StoreError) -> [CaseSummaryRecord] {
    let range = filter.range
    var query = CaseSummaryRecord.select
    if filter.isUnfiltered {
      // A page of everything in scope, in a shape PostgreSQL plans once per connection and
      // keeps (a generic plan: a backward scan of the key checking two hashed sets) instead of
      // re-planning on every call as it does for `LIMIT $n`, whose generic plan would sort
      // every case. The limit is a literal (a validated page size: one statement per size),
      // and neither scope arm's estimate depends on the range's values, so the custom plan
      // never looks cheaper. Filtered pages keep the other shape: a generic plan chosen for a
      // common filter value would scan the whole table for a rare one (docs/BENCHMARKS.md,
      // "ListCases planned once").
      query.append(
        """
         WHERE c.id < \(filter.before)
          AND (c.unit_id IN (SELECT su.id FROM units su WHERE su.path >= \(range.lower) AND su.path < \(range.upper))
               OR EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = c.id
                          AND t.unit_id = ANY (ARRAY(SELECT tu.id FROM units tu WHERE tu.path >= \(range.lower) AND tu.path < \(range.upper)))))
         ORDER BY c.id DESC LIMIT \(unescaped: String(filter.limit))
        """
      )
      return try await self.connection.query(query).decode(CaseSummaryRecord.self)
    }
    query.append(
      """
       WHERE c.id < \(filter.before)
        AND ((u.path >= \(range.lower) AND u.path < \(range.upper))
             OR EXISTS (SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
                        WHERE t.case_id = c.id AND tu.path >= \(range.lower) AND tu.path < \(range.upper)))
      """
    )
    if let state = filter.state { query.append(" AND c.state = \(state)") }
    if let item = filter.itemCode { query.append(" AND c.item_code = \(item)") }
    if let channel = filter.channel { query.append(" AND c.channel = \(channel)") }
    switch filter.applicant {
    case .name(let name)?: query.append(" AND c.applicant_name = \(name)")
    case .nameOrIDNumber(let text)?: query.append(" AND (c.applicant_name = \(text) OR c.applicant_id_number = upper(\(text)))")
    case nil: break
    }
    if let from = filter.submittedFrom { query.append(" AND c.submitted_at >= to_timestamp(\(from)::bigint)") }
    if let to = filter.submittedTo { query.append(" AND c.submitted_at < to_timestamp(\(to)::bigint)") }
    if filter.overdueOnly { query.append(" AND c.is_open AND c.deadline < now()") }
    if let unit = filter.unitCode {
      query.append(
        """
         AND (c.unit_id = (SELECT id FROM units WHERE code = \(unit))
          OR EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = c.id AND t.unit_id = (SELECT id FROM units WHERE code = \(unit))))
        """
      )
    }
    query.append(" ORDER BY c.id DESC LIMIT \(filter.limit)")
    return try await self.connection.query(query).decode(CaseSummaryRecord.self)
  }

  /// Case `id`'s timeline, oldest first, events not yet numbered by the sequencer included
  /// (sequence 0, after the numbered ones: a case's events are numbered in its order).
  /// ORDER BY names the table's column: a bare `seq` would be the output's `coalesce(seq, 0)`,
  /// which puts the newest, unnumbered events first.
  public func timeline(of id: Int64) async throws(StoreError) -> [TimelineRow] {
    try await self.connection.query(Self.timelineQuery(of: id)).decode(TimelineRow.self)
  }

  static func timelineQuery(of id: Int64) -> SQLQuery {
    """
    SELECT coalesce(seq, 0) AS seq, at, by_party, task, kind, summary FROM case_events
    WHERE case_id = \(id) ORDER BY case_events.seq NULLS LAST, case_events.id
    """
  }

  /// A page of unit `unitID`'s inbox: earliest deadline first, tasks without one last; keyset
  /// on (deadline, task row id) after `after`.
  public func inbox(
    unitID: Int64,
    includeFinished: Bool,
    after: (deadline: String, taskRowID: Int64),
    limit: Int
  ) async throws(StoreError) -> [InboxRow] {
    try await self.connection.query(
      """
      SELECT t.id, t.number, coalesce(extract(epoch FROM t.deadline)::bigint::text, 'Infinity') AS deadline, c.id AS case_id,
        \(StoredSnapshot.columns("c")), v.name AS item_name, c.jurisdiction
      FROM case_tasks t
      JOIN cases c ON c.id = t.case_id
      JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version
      WHERE t.unit_id = \(unitID) AND (\(includeFinished) OR t.state IN ('pending', 'claimed'))
        AND (coalesce(t.deadline, 'infinity'::timestamptz), t.id) > (to_timestamp(\(after.deadline)::float8), \(after.taskRowID))
      ORDER BY coalesce(t.deadline, 'infinity'::timestamptz), t.id
      LIMIT \(limit)
      """
    ).decode(InboxRow.self)
  }
}

/// One entry of a case's timeline as stored in `case_events`.
public struct TimelineRow: Sendable, SQLRecord {
  public var sequence: Int64
  public var at: Date
  public var by: String
  public var task: Int32
  public var kind: String
  public var summary: String

  public init(row: Row) throws(StoreError) {
    self.sequence = try row.decode(column: "seq")
    self.at = try row.decode(column: "at")
    self.by = try row.decode(column: "by_party")
    self.task = try row.decode(column: "task")
    self.kind = try row.decode(column: "kind")
    self.summary = try row.decode(column: "summary")
  }
}

/// One task of a unit's inbox with its case.
public struct InboxRow: Sendable, SQLRecord {
  public var taskRowID: Int64
  public var number: Int
  /// Seconds since the epoch as text, or "Infinity": the keyset's first half.
  public var deadline: String
  public var caseID: Int64
  public var value: Case
  public var itemName: String
  public var jurisdiction: String

  public init(row: Row) throws(StoreError) {
    self.taskRowID = try row.decode(column: "id")
    self.number = try row.decode(column: "number")
    self.deadline = try row.decode(column: "deadline")
    self.caseID = try row.decode(column: "case_id")
    self.value = try StoredSnapshot.decode(row: row)
    self.itemName = try row.decode(column: "item_name")
    self.jurisdiction = try row.decode(column: "jurisdiction")
  }
}
