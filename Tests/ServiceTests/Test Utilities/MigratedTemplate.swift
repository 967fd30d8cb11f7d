import CivicStore
import CivicTestSupport
import Foundation
import Logging
import Synchronization

/// The migrated database that service-test fixtures copy (`CREATE DATABASE … TEMPLATE`)
/// instead of running every migration for every test.
///
/// Its name carries a hash of what decides its content: the bundled migrations, the migrator's
/// own source (how it grants), and the application role granted to. A changed migration gets a
/// new template; runs of one schema share one, read-only. It is migrated under a private name
/// and renamed only when complete, so no run copies a half-made one, and concurrent makers
/// settle on the first rename. Nobody may connect to it (`ALLOW_CONNECTIONS false`): PostgreSQL
/// refuses to copy a database while any session is connected to it. Templates stay on the
/// cluster for later runs (`ops/pg dropdb NAME` removes one). The real migrations still run
/// from empty in `MigratedTemplateTests`, the civicgridd command tests and CivicStoreTests.
enum MigratedTemplate {
  /// The template being made or made in this process: one per process.
  private static let making = Mutex<Task<String, any Error>?>(nil)

  /// The template's name, making it on first use in this process (or finding it made by an
  /// earlier or concurrent run).
  static func name(logger: Logger) async throws -> String {
    let task = Self.making.withLock { current in
      if let current { return current }
      let task = Task { try await Self.make(salt: nil, logger: logger) }
      current = task
      return task
    }
    do {
      return try await task.value
    } catch {
      // A failure is not kept: the next fixture tries again.
      Self.making.withLock { if $0 == task { $0 = nil } }
      throw error
    }
  }

  /// `civictpl_` and 16 hex digits of a 64-bit FNV-1a hash over `parts` (stable across
  /// processes, unlike `Hasher`); parts are separated so that moving text between them changes it.
  static func name(hashing parts: [String]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for part in parts {
      for byte in part.utf8 + [0] {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
      }
    }
    let hex = String(hash, radix: 16)
    return "civictpl_" + String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// What decides a template's content, in a fixed order.
  static func contentParts(migrations: [Migration], applicationRole: String) -> [String] {
    var parts = ["role", applicationRole]
    for migration in migrations.sorted(by: { $0.version < $1.version }) {
      parts += ["migration", String(migration.version), migration.name, migration.sql]
    }
    // The migrator's code (how it applies and grants), read from the checkout the tests run in.
    let folder = Binaries.packageRoot.appendingPathComponent("Sources/CivicStore/Migrations")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    for file in files.filter({ $0.hasSuffix(".swift") }).sorted() {
      parts += ["source", file, (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) ?? ""]
    }
    return parts
  }

  /// Finds or makes the template, outside the once-per-process memo; `salt`, given by tests
  /// only, adds a part to the name (a template of its own, to race makers on).
  static func make(salt: String?, logger: Logger) async throws -> String {
    let admin = StorePool(configuration: try ServiceHarness.storeConfiguration(poolSize: 1, owner: true), logger: logger)
    do {
      let name = try await Self.make(admin: admin, salt: salt, logger: logger)
      await admin.close()
      return name
    } catch {
      await admin.close()
      throw error
    }
  }

  private static func make(admin: StorePool, salt: String?, logger: Logger) async throws -> String {
    let application = StorePool(configuration: try ServiceHarness.storeConfiguration(poolSize: 1), logger: logger)
    let role: String
    do {
      role = try await application.query("SELECT current_user::text").scalar(String.self) ?? ""
      await application.close()
    } catch {
      await application.close()
      throw error
    }
    let migrations = try Migration.bundled()
    let name = Self.name(hashing: Self.contentParts(migrations: migrations, applicationRole: role) + (salt.map { ["salt", $0] } ?? []))
    if try await Self.exists(name, admin) { return name }

    // Hex digits only: identifiers cannot be bound.
    let building = "\(name)_b\(UUID().uuidString.prefix(8).lowercased())"
    try await admin.query("CREATE DATABASE \(unescaped: building)")
    do {
      let owner = StorePool(
        configuration: try ServiceHarness.storeConfiguration(database: building, poolSize: 1, owner: true), logger: logger
      )
      do {
        try await Migrator(migrations: migrations, logger: logger, applicationRole: role).migrate(owner)
        await owner.close()
      } catch {
        await owner.close()
        throw error
      }
      try await admin.query("ALTER DATABASE \(unescaped: building) WITH ALLOW_CONNECTIONS false")
      try await Self.rename(building, to: name, admin)
      return name
    } catch {
      _ = try? await ScratchDatabase.drop(building, admin: admin)
      throw error
    }
  }

  /// Renames the finished template into place; when a concurrent run got there first, drops
  /// this one and uses theirs (same name, same content).
  private static func rename(_ building: String, to name: String, _ admin: StorePool) async throws {
    var attempt = 0
    while true {
      attempt += 1
      do {
        try await admin.query("ALTER DATABASE \(unescaped: building) RENAME TO \(unescaped: name)")
        return
      } catch let error as StoreError where error.sqlState == "42P04" || error.sqlState == "23505" {
        // Another maker's template is in place: 42P04, or 23505 on pg_database's name index
        // when both renames ran at the same moment.
        try await ScratchDatabase.drop(building, admin: admin)
        return
      } catch let error as StoreError where error.sqlState == "55006" && attempt < 10 {
        // The migration pool's sessions are still ending (PostgreSQL already waited 5 s).
        try await Task.sleep(for: .milliseconds(200))
      }
    }
  }

  private static func exists(_ name: String, _ admin: StorePool) async throws -> Bool {
    try await admin.query("SELECT count(*)::int FROM pg_database WHERE datname = \(name)").scalar(Int.self) == 1
  }

  /// Creates database `database` as a copy of the template (as the owner role of `admin`).
  static func copy(to database: String, admin: StorePool, logger: Logger) async throws {
    let template = try await Self.name(logger: logger)
    try await admin.query("CREATE DATABASE \(unescaped: database) TEMPLATE \(unescaped: template)")
  }
}
