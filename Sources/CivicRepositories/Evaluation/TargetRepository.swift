public import CivicDomain
public import CivicStore
public import Foundation

/// Indicator targets (`indicator_target_versions`): every version kept, the newest in force
/// (a `VersionedDocumentStore`); and which target alerts were raised (`target_alerts`), so each
/// is raised once.
public struct TargetRepository: Sendable {
  /// One stored version; its document carries its version number.
  public typealias Version = StoredVersion<IndicatorTargets>

  static let table = VersionedDocumentStore<IndicatorTargets>.Table(
    name: "indicator_target_versions", subject: "the targets", columns: .json("targets")
  )

  let connection: StoreConnection
  var versions: VersionedDocumentStore<IndicatorTargets> { VersionedDocumentStore(self.connection, Self.table) }

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The version in force (the newest), or nil before the first; `lock` holds it against a concurrent change.
  public func current(lock: Bool = false) async throws(StoreError) -> Version? { try await self.versions.current(lock: lock) }

  public func version(_ number: Int) async throws(StoreError) -> Version? { try await self.versions.version(number) }

  /// Every version number, newest first.
  public func history() async throws(StoreError) -> [Int] { try await self.versions.history() }

  /// Publishes the targets `make` builds for the next version if `expectedVersion` is in force
  /// (stale → `staleVersion`); returns the version replaced and the targets stored.
  @discardableResult
  public func set(expectedVersion: Int, by account: String, _ make: (_ version: Int) async throws -> IndicatorTargets) async throws
    -> (replaced: Int, stored: IndicatorTargets)
  {
    try await self.versions.set(expectedVersion: expectedVersion, by: account, make)
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
