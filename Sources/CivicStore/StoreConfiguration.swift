/// How CivicStore reaches PostgreSQL and how hard it tries.
///
/// The connection settings are a libpq connection string or URL
/// (`postgresql://user@host:port/db?sslmode=…`, or `host=… dbname=…`); when absent,
/// libpq's own fallbacks apply (`PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD`,
/// `PGSSLMODE`, …), so every authentication and TLS mode libpq knows works unchanged.
public struct StoreConfiguration: Sendable {
  /// A libpq connection string or URL; `nil` leaves everything to the PG* variables.
  public var connectionString: String?
  /// Connections the pool keeps at most (default 8).
  public var poolSize: Int
  /// Callers that may wait for a connection when all are in use (default 256); one more
  /// fails at once with `StoreError.Code.poolExhausted` (RESOURCE_EXHAUSTED over RPC).
  /// A waiter also leaves the queue when its task is cancelled, which is how a call's
  /// deadline ends its wait.
  public var poolQueueLimit: Int
  /// How long opening one connection may take before the call fails UNAVAILABLE (default 5 s).
  public var connectTimeout: Duration
  /// Attempts a transaction gets when it fails with a serialization failure or a
  /// deadlock (SQLSTATE 40001, 40P01), the first one included (default 5).
  public var transactionAttempts: Int
  /// `application_name` reported to the server (visible in `pg_stat_activity`).
  public var applicationName: String
  /// A database name that replaces the one the connection string names (tests and
  /// benchmarks use it to work in a database of their own).
  public var database: String?

  /// Pool of 8, 5 s connect timeout, 5 transaction attempts, settings from the PG* variables.
  public static var defaults: Self {
    Self(connectionString: nil, poolSize: 8, connectTimeout: .seconds(5), transactionAttempts: 5, applicationName: "civicgrid")
  }

  public init(
    connectionString: String?,
    poolSize: Int = 8,
    connectTimeout: Duration = .seconds(5),
    transactionAttempts: Int = 5,
    applicationName: String = "civicgrid"
  ) {
    self.connectionString = connectionString
    self.poolSize = max(1, poolSize)
    self.poolQueueLimit = 256
    self.connectTimeout = connectTimeout
    self.transactionAttempts = max(1, transactionAttempts)
    self.applicationName = applicationName
    self.database = nil
  }

  /// The settings from a `--database-url` flag, else `CIVICGRID_DATABASE_URL`, else the
  /// PG* variables; `nil` when none of them names a database.
  public static func resolve(flag: String?, environment: [String: String]) -> Self? {
    if let url = flag ?? environment["CIVICGRID_DATABASE_URL"], !url.isEmpty {
      return Self(connectionString: url)
    }
    let libpqVariables = ["PGHOST", "PGDATABASE", "PGSERVICE", "PGHOSTADDR"]
    guard libpqVariables.contains(where: { environment[$0] != nil }) else { return nil }
    return Self(connectionString: nil)
  }

  /// The migration role's settings (the role that owns the schema): a
  /// `--migration-database-url` flag, else `CIVICGRID_MIGRATION_DATABASE_URL`; `nil` when
  /// neither is set, and the migrations then run over the main settings (one role for both).
  public static func resolveMigration(flag: String?, environment: [String: String]) -> Self? {
    guard let url = flag ?? environment["CIVICGRID_MIGRATION_DATABASE_URL"], !url.isEmpty else { return nil }
    var configuration = Self(connectionString: url, poolSize: 1)
    configuration.applicationName = "civicgrid-migrate"
    return configuration
  }
}
