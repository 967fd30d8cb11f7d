public import CivicStore
public import Foundation

/// What an alert reader asks for: alerts of units in a path range, optionally only some
/// levels, case kinds and alert kinds (empty: all).
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

  /// The page of alerts after sequence `after`, in order: a statement for `SequencedFeed`, which reads rows.
  public func page(after: Int64, limit: Int) -> SQLQuery {
    """
    SELECT a.seq, a.kind, a.case_id, a.task, a.case_kind, u.code AS unit_code, a.level, a.previous_level, a.order_id,
      a.record_id, a.summary, a.at
    FROM supervision_alerts a JOIN units u ON u.id = a.unit_id
    WHERE a.seq > \(after) AND a.unit_path >= \(self.range.lower) AND a.unit_path < \(self.range.upper)
      AND (cardinality(\(SQLArray(self.levels))::text[]) = 0 OR a.level = ANY(\(SQLArray(self.levels))::text[]))
      AND (cardinality(\(SQLArray(self.caseKinds))::text[]) = 0 OR a.case_kind = ANY(\(SQLArray(self.caseKinds))::text[]))
      AND (cardinality(\(SQLArray(self.kinds))::text[]) = 0 OR a.kind = ANY(\(SQLArray(self.kinds))::text[]))
    ORDER BY a.seq LIMIT \(limit)
    """
  }
}

/// One alert as stored.
public struct AlertRow: Sendable, SQLRecord {
  public var sequence: Int64
  public var kind: String
  public var caseID: Int64?
  public var task: Int32
  public var caseKind: String
  public var unitCode: String
  public var level: String?
  public var previousLevel: String?
  public var orderID: Int64?
  public var recordID: Int64
  public var summary: String
  public var at: Date

  public init(row: Row) throws(StoreError) {
    self.sequence = try row.decode(column: "seq")
    self.kind = try row.decode(column: "kind")
    self.caseID = try row.decode(column: "case_id")
    self.task = try row.decode(column: "task")
    self.caseKind = try row.decode(column: "case_kind")
    self.unitCode = try row.decode(column: "unit_code")
    self.level = try row.decode(column: "level")
    self.previousLevel = try row.decode(column: "previous_level")
    self.orderID = try row.decode(column: "order_id")
    self.recordID = try row.decode(column: "record_id")
    self.summary = try row.decode(column: "summary")
    self.at = try row.decode(column: "at")
  }
}
