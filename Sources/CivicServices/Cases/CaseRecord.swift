import CivicDomain
import CivicStore
import Foundation

/// A case as stored: the domain value plus what lives only in columns (the case row id, the
/// intake unit, personal data, timestamps) and whether the caller may see or change it.
struct CaseRecord: Sendable {
  var id: Int64
  var value: Case
  var unitCode: String
  var unitPath: String
  var applicantIDNumber: String
  var applicantPhone: String
  var jurisdiction: String
  var submittedAt: Date
  var updatedAt: Date
  var itemName: String
  /// The intake unit is in the caller's scope (clerks act on a case only then).
  var intakeInScope: Bool
  /// The intake unit or some task's unit is in the caller's scope.
  var visible: Bool

  var number: String { CaseNumber.format(self.id) }

  static let selectColumns = """
    SELECT c.id, c.snapshot::text, u.code, u.path, c.applicant_id_number, c.applicant_phone, c.jurisdiction,
      c.submitted_at, c.updated_at, v.name,
      (u.path >= $2 AND u.path < $3),
      EXISTS (SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
              WHERE t.case_id = c.id AND tu.path >= $2 AND tu.path < $3)
    FROM cases c
    JOIN units u ON u.id = c.unit_id
    JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version
    """

  init(row: Row) throws {
    self.id = try row.decode(Int64.self, at: 0)
    self.value = try JSONDecoder().decode(Case.self, from: Data(try row.decode(String.self, at: 1).utf8))
    self.unitCode = try row.decode(String.self, at: 2)
    self.unitPath = try row.decode(String.self, at: 3)
    self.applicantIDNumber = try row.decode(String.self, at: 4)
    self.applicantPhone = try row.decode(String.self, at: 5)
    self.jurisdiction = try row.decode(String.self, at: 6)
    self.submittedAt = try row.decode(Date.self, at: 7)
    self.updatedAt = try row.decode(Date.self, at: 8)
    self.itemName = try row.decode(String.self, at: 9)
    self.intakeInScope = try row.decode(Bool.self, at: 10)
    let viaTask = try row.decode(Bool.self, at: 11)
    self.visible = self.intakeInScope || viaTask
  }

  /// The case `id` if the caller's `scope` lets them see it; missing and out-of-scope cases
  /// are the same NOT_FOUND. `lock` takes the row lock every mutation serialises on.
  static func load(_ id: Int64, scope: UnitScope, on connection: StoreConnection, lock: Bool) async throws -> CaseRecord {
    let range = scope.sqlRange
    let rows = try await connection.query(
      Self.selectColumns + " WHERE c.id = $1" + (lock ? " FOR UPDATE OF c" : ""),
      [id, range.lower, range.upper]
    ).rows
    guard let row = rows.first else { throw DomainError.notFound("case \(CaseNumber.format(id))") }
    let record = try CaseRecord(row: row)
    guard record.visible else { throw DomainError.notFound("case \(CaseNumber.format(id))") }
    return record
  }
}
