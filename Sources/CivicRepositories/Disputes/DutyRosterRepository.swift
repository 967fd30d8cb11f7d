public import CivicDomain
public import CivicStore

/// The duty roster (轮驻, `duty_roster`): staff of departments stationed at a centre by day.
public struct DutyRosterRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// One department's staff at a centre on one day.
  public struct Entry: Sendable, Hashable {
    public var day: CivilDate
    public var departmentCode: String
    public var logins: [String]
  }

  /// The roster of centre `centreID` from `first` to `last` (inclusive), by day, then department.
  public func entries(centreID: Int64, from first: CivilDate, to last: CivilDate) async throws(StoreError) -> [Entry] {
    let rows = try await self.connection.query(
      """
      SELECT r.day::text, u.code, string_agg(a.login, E'\\n' ORDER BY a.login)
      FROM duty_roster r JOIN units u ON u.id = r.department_unit_id JOIN accounts a ON a.id = r.account_id
      WHERE r.centre_unit_id = \(centreID) AND r.day BETWEEN \(first.description)::date AND \(last.description)::date
      GROUP BY r.day, u.code ORDER BY r.day, u.code
      """
    ).decode((String, String, String).self)
    return try rows.map { row throws(StoreError) in
      guard let day = CivilDate(row.0) else { throw StoreError(code: .decoding, serverMessage: "duty_roster: day \(row.0)") }
      return Entry(day: day, departmentCode: row.1, logins: DisputeRepository.lines(row.2))
    }
  }

  /// Replaces the staff department `departmentID` stations at centre `centreID` on `day`.
  public func replace(centreID: Int64, day: CivilDate, departmentID: Int64, accountIDs: [Int64]) async throws(StoreError) {
    try await self.connection.execute(
      """
      DELETE FROM duty_roster WHERE centre_unit_id = \(centreID) AND day = \(day.description)::date AND department_unit_id = \(departmentID)
      """
    )
    try await self.connection.execute(
      """
      INSERT INTO duty_roster (centre_unit_id, day, department_unit_id, account_id)
      SELECT \(centreID), \(day.description)::date, \(departmentID), a FROM unnest(\(SQLArray(accountIDs))::bigint[]) AS a
      """
    )
  }

  /// Logins of the mediators on duty at centre `centreID` on `day`, sorted.
  public func mediatorsOnDuty(centreID: Int64, day: CivilDate) async throws(StoreError) -> [String] {
    try await self.connection.query(
      """
      SELECT DISTINCT a.login FROM duty_roster r JOIN accounts a ON a.id = r.account_id
      WHERE r.centre_unit_id = \(centreID) AND r.day = \(day.description)::date AND 'mediator' = ANY(a.roles) AND NOT a.disabled
      ORDER BY a.login
      """
    ).rows.map { row throws(StoreError) in try row.decode(String.self, at: 0) }
  }
}
