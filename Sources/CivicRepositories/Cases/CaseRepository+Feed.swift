public import CivicStore
public import Foundation

/// The partner feed over `case_events`: pages read by `SequencedFeed`, which hands back rows.
public enum CaseEventFeed {
  /// Events after `after` whose case lies in `range`, optionally of one case (`caseID` 0 for
  /// all), one item and some event kinds, in sequence order.
  public static func page(
    after: Int64,
    range: (lower: String, upper: String),
    caseID: Int64,
    itemCode: String,
    kinds: [String],
    limit: Int
  ) -> SQLQuery {
    """
    SELECT seq, case_id, item_code, task, kind, summary, at, by_party, case_state, case_version
    FROM case_events
    WHERE seq > \(after) AND unit_path >= \(range.lower) AND unit_path < \(range.upper)
      AND (\(caseID) = 0 OR case_id = \(caseID)) AND (\(itemCode) = '' OR item_code = \(itemCode))
      AND (cardinality(\(SQLArray(kinds))::text[]) = 0 OR kind = ANY(\(SQLArray(kinds))::text[]))
    ORDER BY seq LIMIT \(limit)
    """
  }
}

/// One row of a feed page.
public struct CaseEventRow: Sendable, SQLRecord {
  public var sequence: Int64
  public var caseID: Int64
  public var itemCode: String
  public var task: Int32
  public var kind: String
  public var summary: String
  public var at: Date
  public var by: String
  public var caseState: String
  public var caseVersion: Int64

  public init(row: Row) throws(StoreError) {
    self.sequence = try row.decode(column: "seq")
    self.caseID = try row.decode(column: "case_id")
    self.itemCode = try row.decode(column: "item_code")
    self.task = try row.decode(column: "task")
    self.kind = try row.decode(column: "kind")
    self.summary = try row.decode(column: "summary")
    self.at = try row.decode(column: "at")
    self.by = try row.decode(column: "by_party")
    self.caseState = try row.decode(column: "case_state")
    self.caseVersion = try row.decode(column: "case_version")
  }
}
