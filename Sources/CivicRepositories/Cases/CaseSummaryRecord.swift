public import CivicDomain
public import CivicStore
public import Foundation

/// A case as ListCases shows it, read from the projection columns and `cases.clocks` alone:
/// no snapshot is decoded. GetCase (`CaseRecord`) has the rest: tasks, materials, opinions.
public struct CaseSummaryRecord: Sendable, SQLRecord {
  public var id: Int64
  public var kind: String
  public var state: String
  public var itemCode: String
  public var itemVersion: Int
  public var itemName: String
  public var channel: String
  public var applicantName: String
  public var applicantIDNumber: String
  public var applicantPhone: String
  public var unitCode: String
  public var jurisdiction: String
  public var version: Int64
  public var currentStage: Int?
  public var approved: Bool
  public var clocks: CaseClocks
  public var submittedAt: Date
  public var updatedAt: Date
  /// The key of the jurisdiction's calendar (`CalendarRepository.keyOfCaseCalendar`).
  public var calendarKey: String?

  /// The columns `init(row:)` reads; the caller adds WHERE, ORDER BY and LIMIT.
  static let select: SQLQuery = """
    SELECT c.id, c.kind, c.state, c.item_code, c.item_version, v.name AS item_name, c.channel, c.applicant_name,
      c.applicant_id_number, c.applicant_phone, u.code AS unit_code, c.jurisdiction, c.version, c.current_stage, c.approved,
      c.clocks, CASE WHEN c.clocks IS NULL THEN c.snapshot::text END AS snapshot, c.submitted_at, c.updated_at,
      \(CalendarRepository.keyOfCaseCalendar)
    FROM cases c
    JOIN units u ON u.id = c.unit_id
    JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version
    """

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.kind = try row.decode(column: "kind")
    self.state = try row.decode(column: "state")
    self.itemCode = try row.decode(column: "item_code")
    self.itemVersion = try row.decode(column: "item_version")
    self.itemName = try row.decode(column: "item_name")
    self.channel = try row.decode(column: "channel")
    self.applicantName = try row.decode(column: "applicant_name")
    self.applicantIDNumber = try row.decode(column: "applicant_id_number")
    self.applicantPhone = try row.decode(column: "applicant_phone")
    self.unitCode = try row.decode(column: "unit_code")
    self.jurisdiction = try row.decode(column: "jurisdiction")
    self.version = try row.decode(column: "version")
    self.currentStage = try row.decode(column: "current_stage")
    self.approved = try row.decode(column: "approved")
    self.clocks = try StoredClocks.decode(try row.decode(column: "clocks"), orSnapshot: try row.decode(column: "snapshot"))
    self.submittedAt = try row.decode(column: "submitted_at")
    self.updatedAt = try row.decode(column: "updated_at")
    self.calendarKey = try row.decode(column: "calendar_key")
  }
}
