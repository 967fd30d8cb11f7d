public import CivicDomain
public import CivicStore
public import Foundation

/// The event routing table (`field_event_routing_versions`): every version kept, exactly one live.
public struct EventRoutingRepository: Sendable {
  /// One stored version.
  public struct Version: Sendable, SQLRecord {
    public var version: Int
    public var table: EventRoutingTable
    public var createdBy: String
    public var createdAt: Date

    static let columns: SQLQuery = "version, routes::text AS routes, created_by, created_at FROM field_event_routing_versions"

    public init(row: Row) throws(StoreError) {
      self.version = try row.decode(column: "version")
      let text = try row.decode(String.self, column: "routes")
      do {
        self.table = try JSONDecoder().decode(EventRoutingTable.self, from: Data(text.utf8))
      } catch {
        throw StoreError(code: .decoding, serverMessage: "event routing table version \(self.version): \(error)")
      }
      self.createdBy = try row.decode(column: "created_by")
      self.createdAt = try row.decode(column: "created_at")
    }
  }

  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The live version, or nil before the first; `lock` holds it against a concurrent update.
  public func live(lock: Bool = false) async throws(StoreError) -> Version? {
    var query: SQLQuery = "SELECT \(Version.columns) WHERE status = 'live'"
    if lock { query.append(" FOR UPDATE") }
    return try await self.connection.query(query).first(Version.self)
  }

  /// Retires the live version and makes `table` the live version `number`.
  public func publish(_ table: EventRoutingTable, version number: Int, by account: String) async throws {
    let json = String(decoding: try JSONEncoder().encode(table), as: UTF8.self)
    try await self.connection.execute("UPDATE field_event_routing_versions SET status = 'retired' WHERE status = 'live'")
    try await self.connection.execute(
      "INSERT INTO field_event_routing_versions (version, status, routes, created_by) VALUES (\(number), 'live', \(json)::jsonb, \(account))"
    )
  }
}
