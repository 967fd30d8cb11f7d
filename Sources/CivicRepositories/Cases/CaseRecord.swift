public import CivicDomain
public import CivicStore
public import Foundation

/// A case as stored: the domain value plus what lives only in columns (the case row id, the
/// intake unit, personal data, timestamps) and whether the caller's scope reaches it.
public struct CaseRecord: Sendable, SQLRecord {
  public var id: Int64
  public var value: Case
  /// The intake unit (`cases.unit_id`).
  public var unitID: Int64
  public var unitCode: String
  public var unitPath: String
  public var applicantIDNumber: String
  public var applicantPhone: String
  public var jurisdiction: String
  public var submittedAt: Date
  public var updatedAt: Date
  public var itemName: String
  /// The intake unit is in the caller's scope (clerks act on a case only then).
  public var intakeInScope: Bool
  /// The intake unit or some task's unit is in the caller's scope.
  public var visible: Bool

  /// The columns `init(row:)` reads, for a scope range bound as `lower` and `upper`, after
  /// `extraColumns` when given (columns a caller reads beside the record).
  static func select(scope range: (lower: String, upper: String), extraColumns: SQLQuery? = nil) -> SQLQuery {
    let extra: SQLQuery = extraColumns.map { ", " + $0 } ?? ""
    return """
    SELECT c.id, \(StoredSnapshot.columns("c")), c.unit_id, u.code AS unit_code, u.path AS unit_path, c.applicant_id_number,
      c.applicant_phone, c.jurisdiction, c.submitted_at, c.updated_at, v.name AS item_name,
      (u.path >= \(range.lower) AND u.path < \(range.upper)) AS intake_in_scope,
      EXISTS (SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
              WHERE t.case_id = c.id AND tu.path >= \(range.lower) AND tu.path < \(range.upper)) AS task_in_scope\(extra)
    FROM cases c
    JOIN units u ON u.id = c.unit_id
    JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version
    """
  }

  /// The record of a case just written by `CaseRepository.insert(new)`, as reading it back
  /// would give, without reading it: a writer answers from what it wrote. The case was taken in
  /// within the writer's scope, so it is in scope and visible.
  public init(inserted new: NewCase, unitCode: String, itemName: String) {
    self.id = new.id
    self.value = new.change.case
    self.unitID = new.unitID
    self.unitCode = unitCode
    self.unitPath = new.unitPath
    self.applicantIDNumber = new.idNumber
    self.applicantPhone = new.phone
    self.jurisdiction = new.jurisdiction
    self.submittedAt = Date(new.at)
    self.updatedAt = self.submittedAt
    self.itemName = itemName
    self.intakeInScope = true
    self.visible = true
  }

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.value = try StoredSnapshot.decode(row: row)
    self.unitID = try row.decode(column: "unit_id")
    self.unitCode = try row.decode(column: "unit_code")
    self.unitPath = try row.decode(column: "unit_path")
    self.applicantIDNumber = try row.decode(column: "applicant_id_number")
    self.applicantPhone = try row.decode(column: "applicant_phone")
    self.jurisdiction = try row.decode(column: "jurisdiction")
    self.submittedAt = try row.decode(column: "submitted_at")
    self.updatedAt = try row.decode(column: "updated_at")
    self.itemName = try row.decode(column: "item_name")
    self.intakeInScope = try row.decode(column: "intake_in_scope")
    let taskInScope = try row.decode(Bool.self, column: "task_in_scope")
    self.visible = self.intakeInScope || taskInScope
  }
}
