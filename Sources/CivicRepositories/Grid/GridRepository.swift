public import CivicDomain
public import CivicStore
public import Foundation

/// Grids' profiles and cards (`grid_profiles`), grid workers' training (`grid_training`) and
/// the event facts of the periodic analysis.
public struct GridRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The profile of grid `code` in `range`; `lock` holds it until commit.
  public func profile(code: String, lock: Bool = false) async throws(StoreError) -> GridProfileRecord? {
    try await self.connection.query("SELECT \(GridProfileRecord.columns) WHERE u.code = \(code)\(SQLQuery.rowLock(lock, of: "p"))")
      .first(GridProfileRecord.self)
  }

  /// Writes the profile of grid unit `unitID` as version `version`.
  public func save(
    unitID: Int64,
    boundary: String,
    households: Int,
    prefixes: [String],
    staff: [GridStaff],
    version: Int64,
    by login: String
  ) async throws {
    let json = String(decoding: try JSONEncoder().encode(staff), as: UTF8.self)
    try await self.connection.execute(
      """
      INSERT INTO grid_profiles (unit_id, boundary, households, address_prefixes, staff, version, updated_by)
      VALUES (\(unitID), \(boundary), \(households), \(SQLArray(prefixes))::text[], \(json)::jsonb, \(version), \(login))
      ON CONFLICT (unit_id) DO UPDATE SET boundary = excluded.boundary, households = excluded.households,
        address_prefixes = excluded.address_prefixes, staff = excluded.staff, version = excluded.version,
        updated_by = excluded.updated_by, updated_at = now()
      """
    )
  }

  /// The grid whose address prefix is the longest that `address` starts with (the match is the
  /// domain's `GridAddressMatch`; candidates are read by a prefix index-free scan of the profiles).
  public func gridCode(covering address: String) async throws(StoreError) -> String? {
    let candidates = try await self.connection.query(
      """
      SELECT u.code, p.prefix FROM grid_profiles g JOIN units u ON u.id = g.unit_id, unnest(g.address_prefixes) AS p(prefix)
      WHERE starts_with(\(address), p.prefix)
      """
    ).decode((String, String).self)
    return GridAddressMatch.grid(for: address, prefixes: candidates.map { (grid: $0.0, prefix: $0.1) })
  }

  /// The community and street codes above the unit at `path`.
  public func ancestors(of path: String) async throws(StoreError) -> [(code: String, kind: String)] {
    try await self.connection.query(
      "SELECT code, kind FROM units WHERE starts_with(\(path), path) AND path <> \(path) ORDER BY length(path)"
    ).decode((String, String).self).map { (code: $0.0, kind: $0.1) }
  }

  public func recordTraining(login: String, unitID: Int64, course: String, date: CivilDate, hours: Double, by recorder: String)
    async throws(StoreError) -> Int64
  {
    try await self.connection.query(
      """
      INSERT INTO grid_training (login, unit_id, course, taken_on, hours, recorded_by)
      VALUES (\(login), \(unitID), \(course), \(date.description)::date, \(hours), \(recorder)) RETURNING id
      """
    ).scalar(Int64.self) ?? 0
  }

  /// Training records of accounts whose unit is in `range`, in the dates given, oldest first.
  public func training(range: (lower: String, upper: String), from: CivilDate?, to: CivilDate?) async throws(StoreError)
    -> [TrainingRecordRow]
  {
    var query: SQLQuery = """
      SELECT t.id, t.login, u.code AS unit_code, t.course, t.taken_on::text AS taken_on, t.hours::float8 AS hours, t.recorded_by
      FROM grid_training t JOIN units u ON u.id = t.unit_id
      WHERE u.path >= \(range.lower) AND u.path < \(range.upper)
      """
    if let from { query.append(" AND t.taken_on >= \(from.description)::date") }
    if let to { query.append(" AND t.taken_on <= \(to.description)::date") }
    query.append(" ORDER BY t.taken_on, t.id")
    return try await self.connection.query(query).decode(TrainingRecordRow.self)
  }

  /// The grids, communities and streets at or under `path`.
  public func territorialUnits(under path: String) async throws(StoreError) -> [GridEventStats.Unit] {
    try await self.connection.query(
      """
      SELECT code, kind, path FROM units
      WHERE starts_with(path, \(path)) AND kind IN ('grid', 'community', 'village', 'street', 'township')
      """
    ).decode((String, String, String).self).map { GridEventStats.Unit(code: $0.0, kind: $0.1, path: $0.2) }
  }

  /// The facts of the events of grids under `path` reported between `from` and `to` (instants).
  public func eventFacts(under path: String, from: Instant, to: Instant) async throws(StoreError) -> [GridEventStats.Fact] {
    let rows = try await self.connection.query(
      """
      SELECT g.code, e.grid_path, e.category, c.state, e.address, extract(epoch FROM e.reported_at)::bigint, e.self_handled,
        CASE WHEN e.due_at IS NOT NULL AND e.handled_at IS NOT NULL AND NOT e.self_handled THEN e.handled_at <= e.due_at END
      FROM field_events e JOIN cases c ON c.id = e.case_id JOIN units g ON g.id = e.grid_id
      WHERE starts_with(e.grid_path, \(path))
        AND e.reported_at >= to_timestamp(\(from.secondsSinceEpoch)::bigint) AND e.reported_at < to_timestamp(\(to.secondsSinceEpoch)::bigint)
      """
    ).decode((String, String, String, String, String, Int64, Bool, Bool?).self)
    return rows.map {
      GridEventStats.Fact(
        gridCode: $0.0,
        gridPath: $0.1,
        category: $0.2,
        outcome: $0.3,
        address: $0.4,
        reportedAt: Instant(secondsSinceEpoch: Int($0.5)),
        selfHandled: $0.6,
        onTime: $0.7
      )
    }
  }
}
