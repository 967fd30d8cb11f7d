public import Logging

/// Applies migrations under a PostgreSQL advisory lock, so that servers starting together
/// migrate once: the first takes the lock and applies, the others wait and find nothing
/// left to do. Then, still under the lock, it grants the application role its privileges.
///
/// Run it over a pool of the role that owns the schema (the migration role); the server
/// itself connects as the application role, which owns nothing (docs/SECURITY.md).
public struct Migrator: Sendable {
  /// The advisory lock key ("CIVICMIG"); advisory locks are per database.
  static let lockKey: Int64 = 0x4349_5649_434D_4947
  public let migrations: [Migration]
  /// The role granted `privileges` after every run; `nil`, or the migrating role itself,
  /// grants nothing (one role for migrations and serving).
  public let applicationRole: String?
  public let privileges: ApplicationPrivileges
  private let logger: Logger

  public init(
    migrations: [Migration],
    logger: Logger,
    applicationRole: String? = nil,
    privileges: ApplicationPrivileges = .defaults
  ) {
    self.migrations = migrations.sorted { $0.version < $1.version }
    self.logger = logger
    self.applicationRole = applicationRole
    self.privileges = privileges
  }

  /// Verifies the applied migrations, applies the missing ones and grants the application
  /// role its privileges; returns the versions applied now (empty when the database was up
  /// to date).
  ///
  /// Throws `MigrationError` (`.changed`, `.unknown`) without applying anything when an
  /// applied migration differs from this build's file or is not known to it.
  @discardableResult
  public func migrate(_ pool: StorePool) async throws -> [Int] {
    var seen = Set<Int>()
    for migration in self.migrations where !seen.insert(migration.version).inserted {
      throw MigrationError(kind: .duplicateVersion, version: migration.version, name: migration.name)
    }
    return try await pool.withConnection { connection in
      try await connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey], prepare: false)
      do {
        let applied = try await self.applyLocked(connection)
        try await self.grantLocked(connection)
        try await connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey], prepare: false)
        return applied
      } catch {
        // Session-level lock: release it, or drop the connection trying.
        _ = try? await connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey], prepare: false)
        throw error
      }
    }
  }

  private func applyLocked(_ connection: StoreConnection) async throws -> [Int] {
    try await connection.command(
      """
      CREATE TABLE IF NOT EXISTS civic_schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )
      """
    )
    let rows = try await connection.query("SELECT version, name, checksum FROM civic_schema_migrations ORDER BY version")
    var recorded: [Int: (name: String, checksum: String)] = [:]
    for row in rows.rows {
      let (version, name, checksum) = try row.decode((Int, String, String).self)
      recorded[version] = (name, checksum)
    }
    let known = Dictionary(uniqueKeysWithValues: self.migrations.map { ($0.version, $0) })
    for (version, entry) in recorded.sorted(by: { $0.key < $1.key }) {
      guard let migration = known[version] else {
        throw MigrationError(kind: .unknown, version: version, name: entry.name)
      }
      guard try await Self.checksum(migration.sql, on: connection) == entry.checksum else {
        throw MigrationError(kind: .changed, version: version, name: migration.name)
      }
    }
    var applied: [Int] = []
    for migration in self.migrations where recorded[migration.version] == nil {
      let checksum = try await Self.checksum(migration.sql, on: connection)
      try await connection.command("BEGIN")
      do {
        try await connection.script(migration.sql)
        try await connection.query(
          "INSERT INTO civic_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
          [migration.version, migration.name, checksum], prepare: false
        )
        try await connection.command("COMMIT")
      } catch {
        try? await connection.command("ROLLBACK")
        throw error
      }
      self.logger.info("store.migrations applied", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
      applied.append(migration.version)
    }
    return applied
  }

  private func grantLocked(_ connection: StoreConnection) async throws {
    guard let role = self.applicationRole, !role.isEmpty else { return }
    let migrating = try await connection.query("SELECT current_user", prepare: false).scalar(String.self)
    guard migrating != role else { return }
    try await self.privileges.grant(to: role, on: connection)
    self.logger.debug("store.migrations granted", metadata: ["store.role": "\(role)"])
  }

  /// SHA-256 of the file's UTF-8 text, hex (computed by PostgreSQL, which has it built in).
  static func checksum(_ sql: String, on connection: StoreConnection) async throws -> String {
    let result = try await connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", [sql])
    return try result.scalar(String.self) ?? ""
  }
}
