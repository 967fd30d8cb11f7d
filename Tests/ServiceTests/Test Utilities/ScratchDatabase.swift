import CivicServices
import CivicStore
import Foundation
import Logging

/// A fresh database on the test server, created by the owner role (as `ops/pg createdb`
/// makes them), empty or copied from the migrated template, and dropped afterwards whatever
/// the outcome.
enum ScratchDatabase {
  /// Runs `body` with a pool on a new database named `<prefix>_<random hex>` and that pool's
  /// configuration: the application role's, or with `owner` the owner role's. With `migrated`
  /// the database is a copy of `MigratedTemplate` (every migration applied, the application
  /// role granted its privileges), with a `Sequencer` running on it as a server's would
  /// (unless `sequencer` is false); otherwise it is empty.
  static func with<R>(
    prefix: String,
    poolSize: Int,
    owner: Bool = false,
    migrated: Bool = false,
    sequencer: Bool = true,
    logger: Logger,
    _ body: (_ pool: StorePool, _ configuration: StoreConfiguration) async throws -> R
  ) async throws -> R {
    // The name is made here from hex digits only (identifiers cannot be bound).
    let name = "\(prefix)_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    let admin = StorePool(configuration: try ServiceHarness.storeConfiguration(poolSize: 1, owner: true), logger: logger)
    do {
      if migrated {
        try await MigratedTemplate.copy(to: name, admin: admin, logger: logger)
      } else {
        try await admin.query("CREATE DATABASE \(unescaped: name)")
      }
    } catch {
      await admin.close()
      throw error
    }
    let configuration = try ServiceHarness.storeConfiguration(database: name, poolSize: poolSize, owner: owner)
    let pool = StorePool(configuration: configuration, logger: logger)
    let result: R
    do {
      if migrated && sequencer {
        result = try await Self.withSequencer(pool) { try await body(pool, configuration) }
      } else {
        result = try await body(pool, configuration)
      }
    } catch {
      await pool.close()
      _ = try? await Self.drop(name, admin: admin)
      await admin.close()
      throw error
    }
    await pool.close()
    _ = try? await Self.drop(name, admin: admin)
    await admin.close()
    return result
  }

  /// Runs `body` with a sequencer numbering case events and sealing audit entries on `pool`.
  static func withSequencer<R>(_ pool: StorePool, _ body: () async throws -> R) async throws -> R {
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await Sequencer(store: pool, logger: Logger(label: "scratch") { _ in SwiftLogNoOpLogHandler() }).compete() }
      defer { group.cancelAll() }
      return try await body()
    }
  }

  /// Drops `name`, ending its sessions. The owner role is no superuser: besides its own and the
  /// application role's sessions it may end no backend, and an autovacuum worker that just
  /// started on the fresh database (it has no role) makes `WITH (FORCE)` answer 42501 ("must be
  /// a member of the role whose process is being terminated") for a moment; 55006 is a session
  /// that has not yet gone. Tried again, bounded, until the database is gone.
  static func drop(_ name: String, admin: StorePool) async throws {
    for attempt in 1...50 {
      do {
        try await admin.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
        return
      } catch let error as StoreError {
        guard attempt < 50, error.sqlState == "42501" || error.sqlState == "55006" else { throw error }
        try await Task.sleep(for: .milliseconds(100))
      }
    }
  }

  /// Migrates the database `pool` works on as the owner role, granting `pool`'s role what the
  /// application needs (civicgridd's split: migrate as the owner, run as the application):
  /// the real migrations from empty, where a test is about them (fixtures use `migrated`).
  static func migrate(_ pool: StorePool, database: String, logger: Logger) async throws {
    let owner = StorePool(configuration: try ServiceHarness.storeConfiguration(database: database, poolSize: 1, owner: true), logger: logger)
    do {
      let role = try await pool.query("SELECT current_user::text").scalar(String.self)
      _ = try await Migrator(migrations: try Migration.bundled(), logger: logger, applicationRole: role).migrate(owner)
      await owner.close()
    } catch {
      await owner.close()
      throw error
    }
  }
}
