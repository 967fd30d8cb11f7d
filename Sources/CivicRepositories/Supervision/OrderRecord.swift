public import CivicDomain
public import CivicStore
public import Foundation

/// What only orders and inspection findings have, beside their case (table `supervision_orders`).
public struct OrderRecord: Sendable, SQLRecord {
  public var level: OrderLevel
  public var title: String
  public var requirement: String
  public var subjectCaseID: Int64?
  public var subjectTask: Int
  public var replyWorkingDays: Int
  public var escalations: Int
  /// 0 for an order not opened by an inspection.
  public var inspectionID: Int64
  public var issuedBy: String
  public var issuedAt: Date

  static let columns: SQLQuery = """
    level, title, requirement, subject_case_id, subject_task, reply_working_days, escalations,
    coalesce(inspection_id, 0) AS inspection_id, issued_by, issued_at
    """

  public init(row: Row) throws(StoreError) {
    self.level = OrderLevel(rawValue: try row.decode(String.self, column: "level")) ?? .ordinary
    self.title = try row.decode(column: "title")
    self.requirement = try row.decode(column: "requirement")
    self.subjectCaseID = try row.decode(column: "subject_case_id")
    self.subjectTask = try row.decode(column: "subject_task")
    self.replyWorkingDays = try row.decode(column: "reply_working_days")
    self.escalations = try row.decode(column: "escalations")
    self.inspectionID = try row.decode(column: "inspection_id")
    self.issuedBy = try row.decode(column: "issued_by")
    self.issuedAt = try row.decode(column: "issued_at")
  }
}

/// A new order's row: the order-like case it belongs to and what it asks.
public struct NewOrder: Sendable {
  public var caseID: Int64
  public var level: OrderLevel
  public var title: String
  public var requirement: String
  public var subject: (caseID: Int64, task: Int)?
  public var replyWorkingDays: Int
  public var inspectionID: Int64?
  public var issuedBy: String
  public var issuedAt: Instant

  public init(
    caseID: Int64,
    level: OrderLevel,
    title: String,
    requirement: String,
    subject: (caseID: Int64, task: Int)?,
    replyWorkingDays: Int,
    inspectionID: Int64?,
    issuedBy: String,
    issuedAt: Instant
  ) {
    self.caseID = caseID
    self.level = level
    self.title = title
    self.requirement = requirement
    self.subject = subject
    self.replyWorkingDays = replyWorkingDays
    self.inspectionID = inspectionID
    self.issuedBy = issuedBy
    self.issuedAt = issuedAt
  }
}
