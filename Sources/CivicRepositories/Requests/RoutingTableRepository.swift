public import CivicDomain
public import CivicStore
public import Foundation

/// The routing table of citizens' requests (`request_routing_versions`): every version kept,
/// exactly one live.
public struct RoutingTableRepository: Sendable {
  /// One stored version.
  public struct Version: Sendable, SQLRecord {
    public var version: Int
    public var table: RoutingTable
    public var createdBy: String
    public var createdAt: Date

    public init(row: Row) throws(StoreError) {
      self.version = try row.decode(column: "version")
      let text = try row.decode(String.self, column: "routes")
      do {
        self.table = try JSONDecoder().decode(RoutingTable.self, from: Data(text.utf8))
      } catch {
        throw StoreError(code: .decoding, serverMessage: "routing table version \(self.version): \(error)")
      }
      self.createdBy = try row.decode(column: "created_by")
      self.createdAt = try row.decode(column: "created_at")
    }
  }

  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The live version, or nil before the first; `lock` holds it against a concurrent update.
  public func live(lock: Bool = false) async throws(StoreError) -> Version? {
    var query: SQLQuery =
      "SELECT version, routes::text AS routes, created_by, created_at FROM request_routing_versions WHERE status = 'live'"
    if lock { query.append(" FOR UPDATE") }
    return try await self.connection.query(query).first(Version.self)
  }

  public func version(_ number: Int) async throws(StoreError) -> Version? {
    try await self.connection.query(
      "SELECT version, routes::text AS routes, created_by, created_at FROM request_routing_versions WHERE version = \(number)"
    ).first(Version.self)
  }

  /// Every version number but `except`, newest first.
  public func history(except live: Int) async throws(StoreError) -> [Int] {
    try await self.connection.query(
      "SELECT version FROM request_routing_versions WHERE version <> \(live) ORDER BY version DESC"
    ).rows.map { row throws(StoreError) in try row.decode(Int.self, at: 0) }
  }

  /// Retires the live version and makes `table` the live version `number`.
  public func publish(_ table: RoutingTable, version number: Int, by account: String) async throws {
    let json = String(decoding: try JSONEncoder().encode(table), as: UTF8.self)
    try await self.connection.execute("UPDATE request_routing_versions SET status = 'retired' WHERE status = 'live'")
    try await self.connection.execute(
      "INSERT INTO request_routing_versions (version, status, routes, created_by) VALUES (\(number), 'live', \(json)::jsonb, \(account))"
    )
  }
}
