import CivicStore
import CivicTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// The PostgreSQL the tests use: a fresh database that `ops/test` creates for each run on the
/// private cluster (`ops/pg`), reached as two roles: `CIVICGRID_MIGRATION_DATABASE_URL`, the
/// migration role that owns the schema, and `CIVICGRID_DATABASE_URL`, the application role
/// the server runs as (docs/SECURITY.md, "Database roles").
///
/// The store's tests make tables of their own and drive the pool, not privileges, so they
/// connect as the owner (`Role.owner`, the default); `DatabaseRoleTests` covers what the
/// application role may and may not do. With only `CIVICGRID_DATABASE_URL` set, both roles
/// are that one.
enum TestDatabase {
  enum Role: Sendable {
    /// `CIVICGRID_MIGRATION_DATABASE_URL`, else `CIVICGRID_DATABASE_URL`.
    case owner
    /// `CIVICGRID_DATABASE_URL`.
    case application
  }


  struct NotConfigured: Error, CustomStringConvertible {
    var description: String {
      "CIVICGRID_DATABASE_URL is not set: these tests need a real PostgreSQL. Run them with ops/test, "
        + "which starts the private cluster (ops/pg start) and creates a fresh database, or export "
        + "CIVICGRID_DATABASE_URL=$(ops/pg url <db>) after `ops/pg start && ops/pg createdb <db>`."
    }
  }

  static let logger: Logger = {
    var logger = Logger(label: "civicstore.tests")
    logger.logLevel = .warning
    return logger
  }()

  /// The test database's settings, with an application name unique to the caller so
  /// `pg_stat_activity` can be filtered to its connections; throws when not configured.
  static func configuration(poolSize: Int = 4, database: String? = nil, role: Role = .owner) throws -> StoreConfiguration {
    guard let url = role == .owner ? TestDatabaseURLs.owner : TestDatabaseURLs.application else {
      throw NotConfigured()
    }
    var configuration = StoreConfiguration(
      connectionString: database == nil && role == .owner ? Self.inOwnSchema(url) : url,
      poolSize: poolSize,
      connectTimeout: .seconds(3)
    )
    configuration.applicationName = "civictest-\(UUID().uuidString.prefix(8).lowercased())"
    configuration.database = database
    return configuration
  }

  /// The schema the store's tests make their tables in, apart from `public`: servers that
  /// other suites start on the shared database grant privileges on every table of `public`,
  /// and PostgreSQL fails either statement (XX000 "cache lookup failed") when a table is
  /// created or dropped beside `GRANT … ON ALL TABLES`.
  static let schema = "civicstore_tests"

  /// `url` with `search_path` set to `schema` for every connection (libpq's `options`).
  private static func inOwnSchema(_ url: String) -> String {
    let separator = url.contains("?") ? "&" : "?"
    return url + separator + "options=-c%20search_path%3D\(Self.schema)"
  }

  /// Creates `schema` once per process; concurrent creators may race, so "exists" is fine.
  private static let schemaReady = Task<Void, any Error> {
    guard let url = TestDatabaseURLs.owner else { throw NotConfigured() }
    let pool = StorePool(configuration: StoreConfiguration(connectionString: url, poolSize: 1), logger: Self.logger)
    do {
      try await pool.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: Self.schema)")
    } catch let error as StoreError where error.sqlState == "23505" || error.sqlState == "42P06" {
      // Made meanwhile by another test process.
    } catch {
      await pool.close()
      throw error
    }
    await pool.close()
  }

  /// Runs `body` with a pool over the test database and closes the pool afterwards.
  @discardableResult
  static func withPool<R: Sendable>(
    _ configuration: StoreConfiguration? = nil,
    poolSize: Int = 4,
    _ body: (StorePool) async throws -> R
  ) async throws -> R {
    try await Self.schemaReady.value
    let pool = StorePool(configuration: try configuration ?? Self.configuration(poolSize: poolSize), logger: Self.logger)
    do {
      let result = try await body(pool)
      await pool.close()
      return result
    } catch {
      await pool.close()
      throw error
    }
  }

  /// Runs `body` against a database of its own, created empty by the owner role and dropped
  /// afterwards; `body` gets the owner's settings for it.
  static func withScratchDatabase<R: Sendable>(_ body: (StoreConfiguration) async throws -> R) async throws -> R {
    // The name is generated here from hex digits only; identifiers cannot be bound.
    let name = "civictest_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
    try await Self.withPool(poolSize: 1) { try await $0.query("CREATE DATABASE \(unescaped: name)") }
    do {
      let result = try await body(try Self.configuration(poolSize: 4, database: name))
      try await Self.dropDatabase(name)
      return result
    } catch {
      _ = try? await Self.dropDatabase(name)
      throw error
    }
  }

  /// Drops `name`, ending its sessions. The owner role is no superuser: besides its own and the
  /// application role's sessions it may end no backend, and an autovacuum worker that just
  /// started on the fresh database (it has no role) makes `WITH (FORCE)` answer 42501 ("must be
  /// a member of the role whose process is being terminated") for a moment; 55006 is a session
  /// that has not yet gone. Tried again, bounded, until the database is gone.
  static func dropDatabase(_ name: String) async throws {
    try await Self.withPool(poolSize: 1) { admin in
      for attempt in 1...50 {
        do {
          try await admin.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
          return
        } catch {
          let sqlState = (error as? StoreError)?.sqlState
          guard attempt < 50, sqlState == "42501" || sqlState == "55006" else { throw error }
          try await Task.sleep(for: .milliseconds(100))
        }
      }
    }
  }

  /// Waits (bounded) until a statement of the pool with `applicationName` runs on the
  /// server, seen from a connection of its own; returns whether it did.
  static func waitUntilRunning(applicationName: String) async throws -> Bool {
    try await Self.withPool(poolSize: 1) { observer in
      try await eventually {
        try await observer.query(
          "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'",
          [applicationName]
        ).scalar(Int.self) == 1
      }
    }
  }

  /// A unique table name for one test (tests share the database and run in parallel).
  static func tableName(_ prefix: String) -> String {
    "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
  }
}

/// Polls `condition` every 50 ms, at most `attempts` times; returns whether it held.
func eventually(attempts: Int = 100, _ condition: () async throws -> Bool) async throws -> Bool {
  for _ in 0..<attempts {
    if try await condition() { return true }
    try await Task.sleep(for: .milliseconds(50))
  }
  return false
}

/// Runs `body` and fails the test with `StoreError`'s code unless it throws one with `code`.
@discardableResult
func expectStoreError(
  _ code: StoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> StoreError? {
  do {
    try await body()
    Issue.record("expected StoreError \(code), got success", sourceLocation: sourceLocation)
    return nil
  } catch let error as StoreError {
    #expect(error.code == code, "\(String(reflecting: error))", sourceLocation: sourceLocation)
    return error
  } catch {
    Issue.record("expected StoreError \(code), got \(error)", sourceLocation: sourceLocation)
    return nil
  }
}

/// A counter tasks can share.
final class Counter: Sendable {
  private let atomic = Atomic<Int>(0)
  func increment() { self.atomic.add(1, ordering: .relaxed) }
  var value: Int { self.atomic.load(ordering: .relaxed) }
}
