import ArgumentParser
import CivicProtos
import CivicServer
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Tracing
import UnixSignals

@main
struct CivicGridd: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "civicgridd",
    abstract: "The CivicGrid server: CivicWire and gRPC/HTTP/2 listeners, health and metrics.",
    subcommands: [Serve.self, Migrate.self, BootstrapAdmin.self, SeedDemo.self, Snapshots.self, Targets.self],
    defaultSubcommand: Serve.self
  )
}

/// `--database-url` and the migration role's URL, shared by the subcommands that use PostgreSQL.
struct DatabaseOptions: ParsableArguments {
  @Option(
    help: """
      PostgreSQL as the application role the server runs as: a libpq URL or connection string \
      (default CIVICGRID_DATABASE_URL, else the PG* variables). ops/run and ops/test start a \
      private cluster and set it.
      """
  )
  var databaseUrl: String?
  @Option(
    help: """
      PostgreSQL as the role that owns the schema, for migrations (default \
      CIVICGRID_MIGRATION_DATABASE_URL, else the --database-url connection does both).
      """
  )
  var migrationDatabaseUrl: String?
  @Option(
    help: """
      The role the migrator grants the application's table privileges to (default \
      CIVICGRID_DATABASE_APP_ROLE, else the role --database-url logs in as).
      """
  )
  var databaseAppRole: String?
  @Option(help: "PostgreSQL connections in the pool (default 8).") var databasePoolSize: Int?
  @Option(
    help: """
      Calls that may wait for a pool connection when all are in use (default \
      CIVICGRID_DATABASE_POOL_QUEUE, else 256); one more gets RESOURCE_EXHAUSTED at once.
      """
  )
  var databasePoolQueue: Int?

  func configuration() -> StoreConfiguration? {
    guard var configuration = StoreConfiguration.resolve(flag: self.databaseUrl, environment: ProcessInfo.processInfo.environment) else {
      return nil
    }
    if let size = self.databasePoolSize { configuration.poolSize = max(1, size) }
    let queue = self.databasePoolQueue ?? ProcessInfo.processInfo.environment["CIVICGRID_DATABASE_POOL_QUEUE"].flatMap { Int($0) }
    if let queue { configuration.poolQueueLimit = max(0, queue) }
    return configuration
  }

  /// The migration role's settings, when they differ from the main ones.
  func migrationConfiguration() -> StoreConfiguration? {
    StoreConfiguration.resolveMigration(flag: self.migrationDatabaseUrl, environment: ProcessInfo.processInfo.environment)
  }

  /// Runs `body` on a migrated pool (`Migrate.openMigrated`) and closes it; a failure of `body`
  /// is reported as the subcommand `command`'s.
  func withMigratedPool<T>(command: String, _ body: (StorePool) async throws -> T) async throws -> T {
    let pool = try await Migrate.openMigrated(try self.required(), options: self, logger: Logger(label: "civicgridd"))
    do {
      let result = try await body(pool)
      await pool.close()
      return result
    } catch {
      await pool.close()
      throw StartupFailure(description: "civicgridd \(command): \(error)")
    }
  }

  /// The role to grant to, when named explicitly (flag or environment).
  func applicationRole() -> String? {
    guard let role = self.databaseAppRole ?? ProcessInfo.processInfo.environment["CIVICGRID_DATABASE_APP_ROLE"], !role.isEmpty else {
      return nil
    }
    return role
  }
}

struct Migrate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Apply the database migrations (under an advisory lock) and exit; serve does this at start too.",
    discussion: """
      Migrates as the role of --migration-database-url (else of --database-url), then grants the \
      application role (--database-app-role, else the role --database-url logs in as) its table \
      privileges. With --migration-database-url and --database-app-role, --database-url is not \
      needed. Refuses (exit 1) when an applied migration's file has changed since it was applied.
      """
  )

  @OptionGroup var database: DatabaseOptions

  func run() async throws {
    let logger = Logger(label: "civicgridd")
    if let migration = self.database.migrationConfiguration(), let role = self.database.applicationRole() {
      // A deployment job that holds only the owner's credentials.
      _ = try await Self.migrate(migration, applicationRole: role, logger: logger)
    } else {
      guard let configuration = self.database.configuration() else {
        throw ValidationError("no database: pass --database-url or set CIVICGRID_DATABASE_URL (or the PG* variables)")
      }
      let pool = try await Self.openMigrated(configuration, options: self.database, logger: logger)
      await pool.close()
    }
    print("civicgridd: database schema is up to date")
  }

  /// Opens the pool (as the application role) and applies the bundled migrations (as the
  /// migration role, when one is configured, which then grants the application role its
  /// privileges); fails start-up when PostgreSQL is unreachable or an applied migration
  /// changed, and warns when the server would run as a superuser.
  static func openMigrated(
    _ configuration: StoreConfiguration,
    options: DatabaseOptions,
    logger: Logger,
    tracer: (any Tracer)? = nil
  ) async throws -> StorePool {
    let pool = StorePool(configuration: configuration, logger: logger, metrics: PoolMetrics(), tracer: tracer)
    do {
      let session = try await pool.query("SELECT current_user::text, rolsuper FROM pg_roles WHERE rolname = current_user").rows[0]
      let (user, superuser) = try session.decode((String, Bool).self)
      let role = options.applicationRole() ?? user
      let applied: [Int]
      if let migration = options.migrationConfiguration() {
        applied = try await Self.migrate(migration, applicationRole: role, logger: logger)
      } else {
        applied = try await Migrator(migrations: try Migration.bundled(), logger: logger, applicationRole: role).migrate(pool)
      }
      logger.info("store: schema ready", metadata: ["migrations.applied": "\(applied)", "store.role": "\(user)"])
      if superuser {
        logger.warning(
          "store: connected as a superuser, which can drop the audit log's append-only trigger; connect as an application role (docs/SECURITY.md, Database roles)",
          metadata: ["store.role": "\(user)"]
        )
      }
      return pool
    } catch let failure as StartupFailure {
      await pool.close()
      throw failure
    } catch {
      await pool.close()
      throw Self.startupFailure(error)
    }
  }

  /// Migrates over a one-connection pool of the migration role, closed afterwards.
  static func migrate(_ migration: StoreConfiguration, applicationRole: String, logger: Logger) async throws -> [Int] {
    let owner = StorePool(configuration: migration, logger: logger)
    do {
      let applied = try await Migrator(migrations: try Migration.bundled(), logger: logger, applicationRole: applicationRole).migrate(owner)
      await owner.close()
      return applied
    } catch {
      await owner.close()
      throw Self.startupFailure(error)
    }
  }

  private static func startupFailure(_ error: any Error) -> StartupFailure {
    // The operator's own terminal: the full libpq message helps (it holds no data).
    var message = (error as? StoreError).map { String(reflecting: $0) } ?? "\(error)"
    if (error as? StoreError)?.sqlState == "42501" {
      message += " (the migration role must own the schema's tables: on the ops/pg cluster, `ops/pg adopt DB` hands a database made before the roles to civicgrid_owner)"
    }
    return StartupFailure(description: "civicgridd: cannot prepare the database: \(message)")
  }
}

/// A start-up failure; ArgumentParser prints the description and exits 1.
struct StartupFailure: Error, CustomStringConvertible {
  var description: String
}
