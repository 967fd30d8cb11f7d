public import CivicDomain
public import CivicStore

/// The facts of docs/METRICS.md for the units of a path range, one query per kind of fact.
/// Clock arithmetic needs the case's calendar, which the caller holds: rows written before
/// migration 0009 and orders come back with their snapshots.
public struct IndicatorRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Cases of `kinds` submitted before `end` that were open at `start` or had an event in or
  /// after it, each from an index (migration 0009).
  public func caseFacts(
    range: (lower: String, upper: String), start: Int, end: Int, kinds: [String]
  ) async throws(StoreError) -> [CaseFactRow] {
    try await self.connection.query(
      Self.caseFactColumns
        + """
        WHERE c.id IN (
            SELECT id FROM cases WHERE is_open AND kind = ANY(\(SQLArray(kinds))::text[])
            UNION ALL
            SELECT id FROM cases WHERE last_event_at >= to_timestamp(\(start)::bigint)
          )
          AND c.kind = ANY(\(SQLArray(kinds))::text[]) AND u.path >= \(range.lower) AND u.path < \(range.upper)
          AND c.submitted_at < to_timestamp(\(end)::bigint)
        """
    ).decode(CaseFactRow.self)
  }

  /// The same facts for the cases `ids` only, under the same conditions (a target check
  /// refreshing the cases that changed since the last one).
  public func caseFacts(ids: [Int64], start: Int, end: Int, kinds: [String]) async throws(StoreError) -> [CaseFactRow] {
    guard !ids.isEmpty else { return [] }
    return try await self.connection.query(
      Self.caseFactColumns
        + """
        WHERE c.id = ANY(\(SQLArray(ids))::bigint[]) AND c.kind = ANY(\(SQLArray(kinds))::text[])
          AND (c.is_open OR c.last_event_at >= to_timestamp(\(start)::bigint))
          AND c.submitted_at < to_timestamp(\(end)::bigint)
        """
    ).decode(CaseFactRow.self)
  }

  /// What `CaseFactRow` decodes, from `cases c JOIN units u`.
  private static var caseFactColumns: SQLQuery {
    """
    SELECT c.id, u.path AS unit_path, c.jurisdiction, \(StoredSnapshot.columns("c", when: "c.facts_version = 0")),
      extract(epoch FROM c.submitted_at)::bigint AS submitted_at, extract(epoch FROM c.decided_at)::bigint AS decided_at, c.accepted,
      extract(epoch FROM c.completed_at)::bigint AS completed_at, extract(epoch FROM c.clock_deadline)::bigint AS clock_deadline,
      c.handling_working_days
    FROM cases c
    JOIN units u ON u.id = c.unit_id

    """
  }

  /// Ratings of units in the range made in [start, end), with their upheld appeal and rectification.
  public func ratingFacts(range: (lower: String, upper: String), start: Int, end: Int) async throws(StoreError) -> [RatingFact] {
    try await self.connection.query(
      """
      SELECT r.id, r.case_id, r.unit_path, extract(epoch FROM r.rated_at)::bigint, r.level,
        extract(epoch FROM r.excluded_at)::bigint, extract(epoch FROM x.visited_at)::bigint
      FROM ratings r
      LEFT JOIN (rectifications x JOIN cases xc ON xc.id = x.case_id AND xc.state = 'rectified') ON x.rating_id = r.id
      WHERE r.unit_path >= \(range.lower) AND r.unit_path < \(range.upper)
        AND r.rated_at >= to_timestamp(\(start)::bigint) AND r.rated_at < to_timestamp(\(end)::bigint)
      """
    ).decode((Int64, Int64, String, Int, String, Int?, Int?).self).map { row throws(StoreError) in
      guard let level = Rating.Level(rawValue: row.4) else { throw StoreError(code: .decoding, serverMessage: "rating level \(row.4)") }
      return RatingFact(
        ratingID: row.0, caseID: row.1, unitPath: row.2, ratedAt: Instant(secondsSinceEpoch: row.3), level: level,
        upheldAt: row.5.map(Instant.init(secondsSinceEpoch:)), rectifiedAt: row.6.map(Instant.init(secondsSinceEpoch:))
      )
    }
  }

  /// Every unit's path by code.
  public func unitPaths() async throws(StoreError) -> [String: String] {
    let rows = try await self.connection.query("SELECT code, path FROM units").decode((String, String).self)
    return Dictionary(rows, uniquingKeysWith: { first, _ in first })
  }

  /// Cases of `kinds` with an order row issued before `end`: the snapshot holds each reply task.
  public func orders(before end: Int, kinds: [String]) async throws(StoreError) -> [OrderFactRow] {
    try await self.connection.query(
      """
      SELECT c.id, c.jurisdiction, \(StoredSnapshot.columns("c")), o.issued_level
      FROM supervision_orders o JOIN cases c ON c.id = o.case_id
      WHERE c.kind = ANY(\(SQLArray(kinds))::text[]) AND o.issued_at < to_timestamp(\(end)::bigint)
      """
    ).decode(OrderFactRow.self)
  }

  /// Urges (alerts) and criticisms (notices) of units in the range in [start, end).
  public func unitEvents(range: (lower: String, upper: String), start: Int, end: Int) async throws(StoreError) -> [UnitEventFact] {
    try await self.connection.query(
      """
      SELECT 'urged', coalesce(case_id, 0), unit_path, extract(epoch FROM at)::bigint FROM supervision_alerts
      WHERE kind = 'urge' AND unit_path >= \(range.lower) AND unit_path < \(range.upper)
        AND at >= to_timestamp(\(start)::bigint) AND at < to_timestamp(\(end)::bigint)
      UNION ALL
      SELECT 'criticised', coalesce(n.case_ids[1], 0), u.path, extract(epoch FROM n.published_at)::bigint
      FROM supervision_notices n JOIN units u ON u.id = n.unit_id
      WHERE n.kind = 'criticism' AND u.path >= \(range.lower) AND u.path < \(range.upper)
        AND n.published_at >= to_timestamp(\(start)::bigint) AND n.published_at < to_timestamp(\(end)::bigint)
      """
    ).decode((String, Int64, String, Int).self).map { row in
      UnitEventFact(kind: row.0 == "urged" ? .urged : .criticised, caseID: row.1, unitPath: row.2, at: Instant(secondsSinceEpoch: row.3))
    }
  }
}

/// A case's indicator facts as its row keeps them; `snapshot` only for rows from before
/// migration 0009 (facts_version 0), whose clock facts the caller computes.
public struct CaseFactRow: Sendable, SQLRecord {
  public var id: Int64
  public var unitPath: String
  public var jurisdiction: String
  public var snapshot: Case?
  public var submittedAt: Instant
  public var decidedAt: Instant?
  public var accepted: Bool
  public var completedAt: Instant?
  public var clockDeadline: Instant?
  public var handlingWorkingDays: Double?

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.unitPath = try row.decode(column: "unit_path")
    self.jurisdiction = try row.decode(column: "jurisdiction")
    self.snapshot = try StoredSnapshot.decodeIfPresent(row: row)
    self.submittedAt = Instant(secondsSinceEpoch: try row.decode(Int.self, column: "submitted_at"))
    self.decidedAt = try row.decode(Int?.self, column: "decided_at").map(Instant.init(secondsSinceEpoch:))
    self.accepted = try row.decode(column: "accepted")
    self.completedAt = try row.decode(Int?.self, column: "completed_at").map(Instant.init(secondsSinceEpoch:))
    self.clockDeadline = try row.decode(Int?.self, column: "clock_deadline").map(Instant.init(secondsSinceEpoch:))
    self.handlingWorkingDays = try row.decode(column: "handling_working_days")
  }
}

/// An order-like case counted for its replies.
public struct OrderFactRow: Sendable, SQLRecord {
  public var id: Int64
  public var jurisdiction: String
  public var value: Case
  /// The level it was issued at (a later escalation leaves it listed).
  public var issuedLevel: OrderLevel

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.jurisdiction = try row.decode(column: "jurisdiction")
    self.value = try StoredSnapshot.decode(row: row)
    self.issuedLevel = OrderLevel(rawValue: try row.decode(String.self, column: "issued_level")) ?? .ordinary
  }
}
