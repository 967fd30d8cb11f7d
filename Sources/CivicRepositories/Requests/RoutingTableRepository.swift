public import CivicDomain
public import CivicStore
public import Foundation

/// The routing table of citizens' requests (`request_routing_versions`, a
/// `VersionedDocumentStore`): every version kept, exactly one live, the others retired.
public struct RoutingTableRepository: Sendable {
  /// One stored version.
  public typealias Version = StoredVersion<RoutingTable>

  static let table = VersionedDocumentStore<RoutingTable>.Table(
    name: "request_routing_versions", subject: "the routing table", columns: .json("routes"), liveStatus: true
  )

  let connection: StoreConnection
  var versions: VersionedDocumentStore<RoutingTable> { VersionedDocumentStore(self.connection, Self.table) }

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The live version, or nil before the first; `lock` holds it against a concurrent update
  /// (before the first version, the primary key refuses a second version 1).
  public func live(lock: Bool = false) async throws(StoreError) -> Version? { try await self.versions.current(lock: lock) }

  public func version(_ number: Int) async throws(StoreError) -> Version? { try await self.versions.version(number) }

  /// Every version number but `except`, newest first.
  public func history(except live: Int) async throws(StoreError) -> [Int] { try await self.versions.history().filter { $0 != live } }

  /// Makes the table `make` returns the live version if `expectedVersion` is live (stale →
  /// `staleVersion`), retiring the old one; `make` gets the new number and may refuse under
  /// the lock. Returns the version retired and the table stored.
  @discardableResult
  public func set(expectedVersion: Int, by account: String, _ make: (_ version: Int) async throws -> RoutingTable) async throws
    -> (replaced: Int, stored: RoutingTable)
  {
    try await self.versions.set(expectedVersion: expectedVersion, by: account, make)
  }

  /// Retires the live version and makes `table` the live version `number` (the caller checked the number).
  public func publish(_ table: RoutingTable, version number: Int, by account: String) async throws {
    try await self.versions.insert(table, version: number, by: account)
  }
}
