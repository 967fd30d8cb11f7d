public import CivicDomain
public import CivicStore
public import Foundation

/// Indicator targets (`indicator_target_versions`): every version kept, the newest in force;
/// and which target alerts were raised (`target_alerts`), so each is raised once.
public struct TargetRepository: Sendable {
  /// One stored version.
  public struct Version: Sendable, SQLRecord {
    public var targets: IndicatorTargets
    public var createdBy: String
    public var createdAt: Date

    public init(row: Row) throws(StoreError) {
      let version: Int = try row.decode(column: "version")
      let text = try row.decode(String.self, column: "targets")
      do {
        self.targets = try JSONDecoder().decode(IndicatorTargets.self, from: Data(text.utf8))
      } catch {
        throw StoreError(code: .decoding, serverMessage: "targets version \(version): \(error)")
      }
      self.createdBy = try row.decode(column: "created_by")
      self.createdAt = try row.decode(column: "created_at")
    }
  }

  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The version in force (the newest), or nil before the first; `lock` holds it against a concurrent change.
  public func current(lock: Bool = false) async throws(StoreError) -> Version? {
    var query: SQLQuery =
      "SELECT version, targets::text AS targets, created_by, created_at FROM indicator_target_versions ORDER BY version DESC LIMIT 1"
    if lock { query.append(" FOR UPDATE") }
    return try await self.connection.query(query).first(Version.self)
  }

  public func version(_ number: Int) async throws(StoreError) -> Version? {
    try await self.connection.query(
      "SELECT version, targets::text AS targets, created_by, created_at FROM indicator_target_versions WHERE version = \(number)"
    ).first(Version.self)
  }

  /// Every version number, newest first.
  public func history() async throws(StoreError) -> [Int] {
    try await self.connection.query("SELECT version FROM indicator_target_versions ORDER BY version DESC")
      .rows.map { row throws(StoreError) in try row.decode(Int.self, at: 0) }
  }

  /// Stores `targets` as its version (the caller checked it is the next one).
  public func publish(_ targets: IndicatorTargets, by account: String) async throws {
    let json = String(decoding: try JSONEncoder().encode(targets), as: UTF8.self)
    try await self.connection.execute(
      "INSERT INTO indicator_target_versions (version, targets, created_by) VALUES (\(targets.version), \(json)::jsonb, \(account))"
    )
  }

  /// Records that (period, unit, indicator) was alerted; returns those not recorded before.
  public func recordAlerts(period: String, _ misses: [(unitID: Int64, indicator: String)], at instant: Instant) async throws(StoreError)
    -> [(unitID: Int64, indicator: String)]
  {
    guard !misses.isEmpty else { return [] }
    return try await self.connection.query(
      """
      INSERT INTO target_alerts (period, unit_id, indicator, at)
      SELECT \(period), unit_id, indicator, to_timestamp(\(instant.secondsSinceEpoch)::bigint)
      FROM unnest(\(SQLArray(misses.map(\.unitID)))::bigint[], \(SQLArray(misses.map(\.indicator)))::text[]) AS m(unit_id, indicator)
      ON CONFLICT DO NOTHING RETURNING unit_id, indicator
      """
    ).decode((Int64, String).self).map { (unitID: $0.0, indicator: $0.1) }
  }
}
