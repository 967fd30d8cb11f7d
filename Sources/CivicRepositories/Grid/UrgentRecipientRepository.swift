public import CivicDomain
public import CivicStore
public import Foundation

/// Who an urgent event's alert went to and who acknowledged (`field_event_urgent_recipients`).
public struct UrgentRecipientRepository: Sendable {
  /// One recipient: the handling unit (empty login) or a supervisor over the grid.
  public struct Recipient: Sendable, SQLRecord {
    public var caseID: Int64
    public var unitID: Int64
    public var unitCode: String
    public var unitPath: String
    public var login: String
    public var dueAt: Date
    public var acknowledgedAt: Date?
    public var escalatedAt: Date?

    static let columns: SQLQuery = """
      r.case_id, r.unit_id, u.code AS unit_code, u.path AS unit_path, r.login, r.due_at, r.acknowledged_at, r.escalated_at
      FROM field_event_urgent_recipients r JOIN units u ON u.id = r.unit_id
      """

    public init(row: Row) throws(StoreError) {
      self.caseID = try row.decode(column: "case_id")
      self.unitID = try row.decode(column: "unit_id")
      self.unitCode = try row.decode(column: "unit_code")
      self.unitPath = try row.decode(column: "unit_path")
      self.login = try row.decode(column: "login")
      self.dueAt = try row.decode(column: "due_at")
      self.acknowledgedAt = try row.decode(column: "acknowledged_at")
      self.escalatedAt = try row.decode(column: "escalated_at")
    }
  }

  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Supervisors (enabled accounts) whose unit's subtree holds the grid at `gridPath`: (login, unit id, unit path).
  public func supervisors(over gridPath: String) async throws(StoreError) -> [(login: String, unitID: Int64, unitPath: String)] {
    try await self.connection.query(
      """
      SELECT a.login, u.id, u.path FROM accounts a JOIN units u ON u.id = a.unit_id
      WHERE 'supervisor' = ANY (a.roles) AND NOT a.disabled AND starts_with(\(gridPath), u.path)
      ORDER BY a.login
      """
    ).decode((String, Int64, String).self).map { (login: $0.0, unitID: $0.1, unitPath: $0.2) }
  }

  /// Records the recipients of case `caseID`'s urgent alert, each due at `due`.
  public func insert(caseID: Int64, recipients: [(unitID: Int64, login: String)], due: Instant) async throws(StoreError) {
    guard !recipients.isEmpty else { return }
    try await self.connection.execute(
      """
      INSERT INTO field_event_urgent_recipients (case_id, unit_id, login, due_at)
      SELECT \(caseID), unit_id, login, to_timestamp(\(due.secondsSinceEpoch)::bigint)
      FROM unnest(\(SQLArray(recipients.map(\.unitID)))::bigint[], \(SQLArray(recipients.map(\.login)))::text[]) AS r(unit_id, login)
      ON CONFLICT DO NOTHING
      """
    )
  }

  public func recipients(of caseID: Int64) async throws(StoreError) -> [Recipient] {
    try await self.connection.query("SELECT \(Recipient.columns) WHERE r.case_id = \(caseID) ORDER BY r.login, u.code")
      .decode(Recipient.self)
  }

  /// Acknowledges, at `instant`, case `caseID`'s rows for `login` (as a supervisor) and for the
  /// unit `unitID` (as its staff); answers how many rows were acknowledged now.
  public func acknowledge(caseID: Int64, login: String, unitID: Int64, at instant: Instant) async throws(StoreError) -> Int {
    try await self.connection.query(
      """
      UPDATE field_event_urgent_recipients SET acknowledged_at = to_timestamp(\(instant.secondsSinceEpoch)::bigint)
      WHERE case_id = \(caseID) AND acknowledged_at IS NULL
        AND (login = \(login) OR (login = '' AND unit_id = \(unitID)))
      RETURNING case_id
      """
    ).rows.count
  }

  /// Up to `limit` recipients unacknowledged, not escalated and due at `instant`, locked
  /// (SKIP LOCKED: several sweepers share them), oldest first.
  public func claimDue(at instant: Instant, limit: Int) async throws(StoreError) -> [Recipient] {
    try await self.connection.query(
      """
      SELECT \(Recipient.columns)
      WHERE r.acknowledged_at IS NULL AND r.escalated_at IS NULL AND r.due_at <= to_timestamp(\(instant.secondsSinceEpoch)::bigint)
      ORDER BY r.due_at LIMIT \(limit) FOR UPDATE OF r SKIP LOCKED
      """
    ).decode(Recipient.self)
  }

  public func markEscalated(_ recipient: Recipient, at instant: Instant) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE field_event_urgent_recipients SET escalated_at = to_timestamp(\(instant.secondsSinceEpoch)::bigint)
      WHERE case_id = \(recipient.caseID) AND unit_id = \(recipient.unitID) AND login = \(recipient.login)
      """
    )
  }

  /// The unit above the one at `path` (the root itself for the root): whom an escalation tells.
  public func unitAbove(_ path: String) async throws(StoreError) -> (id: Int64, path: String)? {
    let parts = path.split(separator: "/")
    let parentPath = parts.count > 1 ? "/" + parts.dropLast().joined(separator: "/") + "/" : path
    let rows = try await self.connection.query("SELECT id, path FROM units WHERE path = \(parentPath)").decode((Int64, String).self)
    return rows.first.map { (id: $0.0, path: $0.1) }
  }
}
