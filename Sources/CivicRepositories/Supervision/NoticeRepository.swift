public import CivicDomain
public import CivicStore
public import Foundation

/// Notices (通报, `supervision_notices`) and inspections (季度检查督导, `supervision_inspections`
/// with their `supervision_findings`); a finding's rectification is an order-like case.
public struct NoticeRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Inserts a notice; returns its id.
  public func publish(
    kind: String, unitID: Int64, period: String, title: String, body: String, caseIDs: [Int64], orderIDs: [Int64], by: String,
    at: Instant
  ) async throws(StoreError) -> Int64 {
    let id = try await self.connection.query(
      """
      INSERT INTO supervision_notices (kind, unit_id, period, title, body, case_ids, order_ids, published_by, published_at)
      VALUES (\(kind), \(unitID), \(period), \(title), \(body), \(SQLArray(caseIDs))::bigint[], \(SQLArray(orderIDs))::bigint[],
        \(by), to_timestamp(\(at.secondsSinceEpoch)::bigint))
      RETURNING id
      """
    ).scalar(Int64.self)
    guard let id else { throw StoreError(code: .decoding, serverMessage: "notice insert returned no id") }
    return id
  }

  /// Notices of units in `range`, newest first below `before`, optionally of one period and kind.
  public func notices(
    range: (lower: String, upper: String), before: Int64, period: String?, kind: String?, limit: Int
  ) async throws(StoreError) -> [NoticeRow] {
    try await self.connection.query(
      """
      SELECT n.id, n.kind, u.code AS unit_code, n.period, n.title, n.body, n.case_ids::text AS case_ids,
        n.order_ids::text AS order_ids, n.published_by, n.published_at
      FROM supervision_notices n JOIN units u ON u.id = n.unit_id
      WHERE n.id < \(before) AND u.path >= \(range.lower) AND u.path < \(range.upper)
        AND (\(period)::text IS NULL OR n.period = \(period)) AND (\(kind)::text IS NULL OR n.kind = \(kind))
      ORDER BY n.id DESC LIMIT \(limit)
      """
    ).decode(NoticeRow.self)
  }

  /// Inserts an inspection; returns its id.
  public func recordInspection(period: String, title: String, by: String, at: Instant) async throws(StoreError) -> Int64 {
    let id = try await self.connection.query(
      """
      INSERT INTO supervision_inspections (period, title, recorded_by, recorded_at)
      VALUES (\(period), \(title), \(by), to_timestamp(\(at.secondsSinceEpoch)::bigint)) RETURNING id
      """
    ).scalar(Int64.self)
    guard let id else { throw StoreError(code: .decoding, serverMessage: "inspection insert returned no id") }
    return id
  }

  public func addFinding(
    inspectionID: Int64, position: Int, unitID: Int64, description: String, days: Int, rectificationCaseID: Int64
  ) async throws(StoreError) {
    try await self.connection.execute(
      """
      INSERT INTO supervision_findings (inspection_id, position, unit_id, description, rectify_working_days, rectification_case_id)
      VALUES (\(inspectionID), \(position), \(unitID), \(description), \(days), \(rectificationCaseID))
      """
    )
  }

  /// Inspections with a finding on a unit in `range`, newest first below `before`, optionally of one period.
  public func inspections(
    range: (lower: String, upper: String), before: Int64, period: String?, limit: Int
  ) async throws(StoreError) -> [InspectionRow] {
    try await self.connection.query(
      """
      SELECT i.id, i.period, i.title, i.recorded_by, i.recorded_at FROM supervision_inspections i
      WHERE i.id < \(before) AND (\(period)::text IS NULL OR i.period = \(period)) AND EXISTS (
        SELECT 1 FROM supervision_findings f JOIN units u ON u.id = f.unit_id
        WHERE f.inspection_id = i.id AND u.path >= \(range.lower) AND u.path < \(range.upper))
      ORDER BY i.id DESC LIMIT \(limit)
      """
    ).decode(InspectionRow.self)
  }

  /// Inspection `id`'s findings in order.
  public func findings(of id: Int64) async throws(StoreError) -> [FindingRow] {
    try await self.connection.query(
      """
      SELECT u.code AS unit_code, f.description, f.rectify_working_days, f.rectification_case_id
      FROM supervision_findings f JOIN units u ON u.id = f.unit_id WHERE f.inspection_id = \(id) ORDER BY f.position
      """
    ).decode(FindingRow.self)
  }
}

public struct NoticeRow: Sendable, SQLRecord {
  public var id: Int64
  public var kind: String
  public var unitCode: String
  public var period: String
  public var title: String
  public var body: String
  public var caseIDs: [Int64]
  public var orderIDs: [Int64]
  public var publishedBy: String
  public var publishedAt: Date

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.kind = try row.decode(column: "kind")
    self.unitCode = try row.decode(column: "unit_code")
    self.period = try row.decode(column: "period")
    self.title = try row.decode(column: "title")
    self.body = try row.decode(column: "body")
    self.caseIDs = Self.ids(try row.decode(String.self, column: "case_ids"))
    self.orderIDs = Self.ids(try row.decode(String.self, column: "order_ids"))
    self.publishedBy = try row.decode(column: "published_by")
    self.publishedAt = try row.decode(column: "published_at")
  }

  /// A bigint[] in its text form, `{1,2}`.
  static func ids(_ text: String) -> [Int64] {
    text.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").compactMap { Int64($0) }
  }
}

public struct InspectionRow: Sendable, SQLRecord {
  public var id: Int64
  public var period: String
  public var title: String
  public var recordedBy: String
  public var recordedAt: Date

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.period = try row.decode(column: "period")
    self.title = try row.decode(column: "title")
    self.recordedBy = try row.decode(column: "recorded_by")
    self.recordedAt = try row.decode(column: "recorded_at")
  }
}

public struct FindingRow: Sendable, SQLRecord {
  public var unitCode: String
  public var description: String
  public var rectifyWorkingDays: Int32
  public var rectificationCaseID: Int64

  public init(row: Row) throws(StoreError) {
    self.unitCode = try row.decode(column: "unit_code")
    self.description = try row.decode(column: "description")
    self.rectifyWorkingDays = try row.decode(column: "rectify_working_days")
    self.rectificationCaseID = try row.decode(column: "rectification_case_id")
  }
}
