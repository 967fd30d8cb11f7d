import CivicStore
import Foundation
import Logging
import Testing

/// The streaming replica of the test cluster that `ops/test` starts (`ops/pg replica start`):
/// `CIVICGRID_TEST_READ_DATABASE_URL` reaches it as the application role, and
/// `CIVICGRID_TEST_READ_SUPERUSER_URL` as the superuser that pauses its replay. A scratch
/// database made on the primary appears on it by replication.
enum ReplicaCluster {
  struct Settings: Sendable {
    var url: String
    var configuration: ReadReplica.Configuration
  }

  static var url: String? { Self.value("CIVICGRID_TEST_READ_DATABASE_URL") }
  static var superuserURL: String? { Self.value("CIVICGRID_TEST_READ_SUPERUSER_URL") }
  static var isConfigured: Bool { Self.url != nil && Self.superuserURL != nil }
  static let skipReason: Comment = """
    no streaming replica: CIVICGRID_TEST_READ_DATABASE_URL and CIVICGRID_TEST_READ_SUPERUSER_URL are unset \
    (ops/test starts one with `ops/pg replica start`; by hand, export them from `ops/pg replica url DB` and \
    `ops/pg replica url --superuser postgres`)
    """

  /// Probes every 20 ms so tests see changes quickly; the bound as given.
  static func settings(maxLag: Duration = .seconds(2), maxReplayWait: Duration = .milliseconds(100)) -> Settings? {
    guard let url = Self.url else { return nil }
    var configuration = ReadReplica.Configuration.defaults
    configuration.maxLag = maxLag
    configuration.probeInterval = .milliseconds(20)
    configuration.maxReplayWait = maxReplayWait
    return Settings(url: url, configuration: configuration)
  }

  /// A `ReadReplica` over `database` on the replica, beside `primary`.
  static func readReplica(_ settings: Settings, primary: StorePool, database: String, logger: Logger) throws -> ReadReplica {
    var configuration = StoreConfiguration(connectionString: settings.url, poolSize: 4, connectTimeout: .seconds(3))
    configuration.database = database
    configuration.applicationName = "civic-service-tests-read"
    let pool = StorePool(configuration: configuration, logger: logger)
    return ReadReplica(primary: primary, replica: pool, configuration: settings.configuration, logger: logger)
  }

  /// Runs `body` with the replica's WAL replay paused (it keeps receiving WAL, and applies
  /// none), resuming it afterwards whatever happens.
  static func withReplayPaused<R: Sendable>(_ body: () async throws -> R) async throws -> R {
    let pool = StorePool(configuration: StoreConfiguration(connectionString: Self.superuserURL, poolSize: 1), logger: ServiceHarness.logger)
    try await pool.query("SELECT pg_wal_replay_pause()")
    do {
      let result = try await body()
      try await pool.query("SELECT pg_wal_replay_resume()")
      await pool.close()
      return result
    } catch {
      _ = try? await pool.query("SELECT pg_wal_replay_resume()")
      await pool.close()
      throw error
    }
  }

  private static func value(_ name: String) -> String? {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
    return value
  }
}
