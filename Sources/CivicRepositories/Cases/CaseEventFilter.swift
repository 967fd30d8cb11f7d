public import CivicStore

/// Which case events one feed subscriber may see and asked for: events of cases whose unit
/// path lies in `range` (its scope), optionally of one case, one item and some kinds.
///
/// The same decision twice: as SQL (`page`, the database path) and in memory (`admits`, the
/// shared tail). They must agree row for row; `unit_path` is `COLLATE "C"`, so the range
/// compares UTF-8 bytes, and text equality in PostgreSQL is byte equality, so codes compare
/// bytes too (Swift's `==` would equate canonically equivalent strings PostgreSQL tells apart).
public struct CaseEventFilter: Sendable {
  /// Unit paths `lower <= path < upper`.
  public var range: (lower: String, upper: String)
  /// One case, or 0 for all.
  public var caseID: Int64
  /// One item, or empty for all.
  public var itemCode: String
  /// Some event kinds, or empty for all.
  public var kinds: [String]

  public init(range: (lower: String, upper: String), caseID: Int64 = 0, itemCode: String = "", kinds: [String] = []) {
    self.range = range
    self.caseID = caseID
    self.itemCode = itemCode
    self.kinds = kinds
  }

  /// At most `limit` admitted events after `after`, in sequence order.
  public func page(after: Int64, limit: Int) -> SQLQuery {
    """
    SELECT seq, case_id, item_code, task, kind, summary, at, by_party, case_state, case_version, unit_path
    FROM case_events
    WHERE seq > \(after) AND unit_path >= \(self.range.lower) AND unit_path < \(self.range.upper)
      AND (\(self.caseID) = 0 OR case_id = \(self.caseID)) AND (\(self.itemCode) = '' OR item_code = \(self.itemCode))
      AND (cardinality(\(SQLArray(self.kinds))::text[]) = 0 OR kind = ANY(\(SQLArray(self.kinds))::text[]))
    ORDER BY seq LIMIT \(limit)
    """
  }

  /// Whether `page` would return `event`: the same predicate, in memory.
  public func admits(_ event: CaseEventRow) -> Bool {
    let path = event.unitPath.utf8
    guard !path.lexicographicallyPrecedes(self.range.lower.utf8), path.lexicographicallyPrecedes(self.range.upper.utf8) else {
      return false
    }
    if self.caseID != 0, event.caseID != self.caseID { return false }
    if !self.itemCode.isEmpty, !Self.same(event.itemCode, self.itemCode) { return false }
    if !self.kinds.isEmpty, !self.kinds.contains(where: { Self.same(event.kind, $0) }) { return false }
    return true
  }

  /// PostgreSQL's text equality under a deterministic collation: the same bytes.
  private static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
}
