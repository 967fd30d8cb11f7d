public import CivicStore

/// What an alert reader asks for: alerts of units in a path range, optionally only some
/// levels, case kinds and alert kinds (empty: all).
///
/// The same decision twice: as SQL (`page`, the database path) and in memory (`admits`, the
/// instance's shared alert tail). They must agree row for row (`AlertFilterTests`).
/// `unit_path` is `COLLATE "C"`, so the range compares UTF-8 bytes; text equality in
/// PostgreSQL is byte equality, so levels and kinds compare bytes too; an alert without a
/// level never matches a level filter (`NULL = ANY(…)` is not true).
public struct AlertFilter: Sendable {
  public var range: (lower: String, upper: String)
  public var levels: [String]
  public var caseKinds: [String]
  public var kinds: [String]

  public init(range: (lower: String, upper: String), levels: [String], caseKinds: [String], kinds: [String]) {
    self.range = range
    self.levels = levels
    self.caseKinds = caseKinds
    self.kinds = kinds
  }

  /// At most `limit` admitted alerts after `after`, in sequence order.
  public func page(after: Int64, limit: Int) -> SQLQuery {
    """
    SELECT \(AlertFeed.columns)
    FROM supervision_alerts a JOIN units u ON u.id = a.unit_id
    WHERE a.seq > \(after) AND a.unit_path >= \(self.range.lower) AND a.unit_path < \(self.range.upper)
      AND (cardinality(\(SQLArray(self.levels))::text[]) = 0 OR a.level = ANY(\(SQLArray(self.levels))::text[]))
      AND (cardinality(\(SQLArray(self.caseKinds))::text[]) = 0 OR a.case_kind = ANY(\(SQLArray(self.caseKinds))::text[]))
      AND (cardinality(\(SQLArray(self.kinds))::text[]) = 0 OR a.kind = ANY(\(SQLArray(self.kinds))::text[]))
    ORDER BY a.seq LIMIT \(limit)
    """
  }

  /// Whether `page` would return `alert`: the same predicate, in memory.
  public func admits(_ alert: AlertRow) -> Bool {
    let path = alert.unitPath.utf8
    guard !path.lexicographicallyPrecedes(self.range.lower.utf8), path.lexicographicallyPrecedes(self.range.upper.utf8) else {
      return false
    }
    if !self.levels.isEmpty {
      guard let level = alert.level, self.levels.contains(where: { Self.same(level, $0) }) else { return false }
    }
    if !self.caseKinds.isEmpty, !self.caseKinds.contains(where: { Self.same(alert.caseKind, $0) }) { return false }
    if !self.kinds.isEmpty, !self.kinds.contains(where: { Self.same(alert.kind, $0) }) { return false }
    return true
  }

  /// PostgreSQL's text equality under a deterministic collation: the same bytes.
  private static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
}
