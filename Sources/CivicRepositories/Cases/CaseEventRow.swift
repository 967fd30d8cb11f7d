public import CivicStore
public import Foundation

/// One numbered `case_events` row as the feed reads it.
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
  /// The path of the case's intake unit: what scopes the event (`CaseEventFilter`).
  public var unitPath: String

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
    self.unitPath = try row.decode(column: "unit_path")
  }
}
