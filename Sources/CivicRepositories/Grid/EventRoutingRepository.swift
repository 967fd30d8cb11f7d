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

  /// The advisory lock ("CGER") that orders commands acting by the table after its updates:
  /// shared by each such command, exclusive for an update.
  public static let tableLock: Int64 = 0x4347_4552

  /// How a command holds the live version it reads, until its transaction ends.
  public enum Hold: Sendable {
    /// A plain read.
    case none
    /// Shared: a command that acts by the table (routing, sampling, an urgent report) keeps it
    /// live until it commits; an update waits for it, and it waits for an update in flight,
    /// then reads what that update published.
    case share
    /// Exclusive: the update itself.
    case update
  }

  /// The live version, or nil before the first, held as `hold` says for the transaction.
  ///
  /// The hold is a transaction-level advisory lock taken before the read, not a row lock: every
  /// route takes it, and a row lock on the one live row would write that row on each of them.
  /// Under READ COMMITTED the read after the lock sees whatever the update it waited for committed.
  public func live(hold: Hold = .none) async throws(StoreError) -> Version? {
    switch hold {
    case .none: break
    case .share: try await self.connection.query("SELECT pg_advisory_xact_lock_shared(\(Self.tableLock))")
    case .update: try await self.connection.query("SELECT pg_advisory_xact_lock(\(Self.tableLock))")
    }
    return try await self.connection.query("SELECT \(Version.columns) WHERE status = 'live'").first(Version.self)
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
