public import CivicStore

/// One door-to-door visit request with its unit and assignee.
public struct HomeVisitRecord: SQLRecord, Hashable {
  public var id: Int64
  public var unitCode: String
  public var unitPath: String
  public var itemCode: String
  public var applicantName: String
  public var applicantIDNumber: String
  public var applicantPhone: String
  public var address: String
  public var reason: String
  /// "YYYY-MM-DD", or empty when none was asked for.
  public var preferredDate: String
  /// `HomeVisitState`'s raw value.
  public var state: String
  /// The assignee's login, or empty.
  public var assignee: String
  public var version: Int64
  public var createdAtMicros: Int64
  public var assignedAtMicros: Int64?
  public var notes: String
  public var cancelReason: String
  /// The case it opened on the spot.
  public var openedCaseID: Int64?
  public var finishedAtMicros: Int64?

  static let columns: SQLQuery = """
    v.id, u.code AS unit_code, u.path AS unit_path, v.item_code, v.applicant_name, v.applicant_id_number, v.applicant_phone,
    v.address, v.reason, coalesce(v.preferred_date::text, '') AS preferred_date, v.state, coalesce(a.login, '') AS assignee,
    v.version, (extract(epoch FROM v.created_at) * 1000000)::bigint AS created_at_micros,
    (extract(epoch FROM v.assigned_at) * 1000000)::bigint AS assigned_at_micros, v.notes, v.cancel_reason, v.opened_case_id,
    (extract(epoch FROM v.finished_at) * 1000000)::bigint AS finished_at_micros
    FROM home_visits v JOIN units u ON u.id = v.unit_id LEFT JOIN accounts a ON a.id = v.assignee_account_id
    """

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.unitCode = try row.decode(column: "unit_code")
    self.unitPath = try row.decode(column: "unit_path")
    self.itemCode = try row.decode(column: "item_code")
    self.applicantName = try row.decode(column: "applicant_name")
    self.applicantIDNumber = try row.decode(column: "applicant_id_number")
    self.applicantPhone = try row.decode(column: "applicant_phone")
    self.address = try row.decode(column: "address")
    self.reason = try row.decode(column: "reason")
    self.preferredDate = try row.decode(column: "preferred_date")
    self.state = try row.decode(column: "state")
    self.assignee = try row.decode(column: "assignee")
    self.version = try row.decode(column: "version")
    self.createdAtMicros = try row.decode(column: "created_at_micros")
    self.assignedAtMicros = try row.decode(column: "assigned_at_micros")
    self.notes = try row.decode(column: "notes")
    self.cancelReason = try row.decode(column: "cancel_reason")
    self.openedCaseID = try row.decode(column: "opened_case_id")
    self.finishedAtMicros = try row.decode(column: "finished_at_micros")
  }
}
