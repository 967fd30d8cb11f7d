public import CivicStore
public import Foundation

/// One alert as stored, as the feed reads it.
public struct AlertRow: Sendable, SQLRecord {
  public var sequence: Int64
  public var kind: String
  public var caseID: Int64?
  public var task: Int32
  public var caseKind: String
  public var unitCode: String
  /// The path of the alert's unit: what scopes it (`AlertFilter`).
  public var unitPath: String
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
    self.unitPath = try row.decode(column: "unit_path")
    self.level = try row.decode(column: "level")
    self.previousLevel = try row.decode(column: "previous_level")
    self.orderID = try row.decode(column: "order_id")
    self.recordID = try row.decode(column: "record_id")
    self.summary = try row.decode(column: "summary")
    self.at = try row.decode(column: "at")
  }
}
