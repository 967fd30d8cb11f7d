import CivicServices
import CivicStore
import CivicTestSupport
import Foundation
import Logging
import Testing

/// civicgridd's database subcommands as an operator runs them: `migrate`,
/// `bootstrap-admin`, `seed-demo`, `snapshots`, `targets`, each against a scratch database of its own.
@Suite("civicgridd migrate, bootstrap-admin, seed-demo, snapshots, targets", .serialized, .timeLimit(.minutes(5)))
struct CivicgriddCommandTests {
  static let logger = Logger(label: "civicgridd-command-tests") { _ in SwiftLogNoOpLogHandler() }

  /// A fresh empty database for `body`, given its URL (dropped afterwards) and a pool on it.
  static func withScratchDatabase(_ body: (_ url: String, _ pool: StorePool) async throws -> Void) async throws {
    // As the owner role: these commands migrate, and run as the role that migrated.
    try await ScratchDatabase.with(prefix: "civiccmd", poolSize: 1, owner: true, logger: Self.logger) { pool, configuration in
      try await body(try Self.url(configuration.connectionString ?? "", database: configuration.database ?? ""), pool)
    }
  }

  /// `url` naming `database` instead: a libpq URI gets a new path, a key=value string a
  /// trailing dbname (the last one wins).
  static func url(_ url: String, database: String) throws -> String {
    guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else { return url + " dbname=\(database)" }
    var components = try #require(URLComponents(string: url), "CIVICGRID_DATABASE_URL is not a URL")
    components.path = "/\(database)"
    return try #require(components.string)
  }

  /// civicgridd with `arguments` against the database at `url` (given by flag; the
  /// environment's database variables removed, so only the flag can name one).
  static func civicgridd(_ arguments: [String], url: String?) async throws -> (status: Int32, stdout: String, stderr: String) {
    var environment = ProcessInfo.processInfo.environment
    for name in [
      "CIVICGRID_DATABASE_URL", "CIVICGRID_MIGRATION_DATABASE_URL", "CIVICGRID_DATABASE_APP_ROLE", "PGHOST", "PGDATABASE",
      "PGSERVICE", "PGHOSTADDR",
    ] { environment[name] = nil }
    let database = url.map { ["--database-url", $0] } ?? []
    return try await Binaries.runDetached(Binaries.civicgridd, arguments + database, environment: environment)
  }

  static func count(_ table: String, _ pool: StorePool) async throws -> Int {
    try await pool.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self) ?? -1
  }

  @Test("migrate: an empty, a current and an old schema all end current, exit 0 with the same message")
  func migrateEmptyCurrentOld() async throws {
    let bundled = try Migration.bundled()
    try #require(bundled.count > 2)
    try await Self.withScratchDatabase { url, pool in
      // Empty.
      let empty = try await Self.civicgridd(["migrate"], url: url)
      #expect(empty.status == 0, "\(empty.stderr)")
      #expect(empty.stdout == "civicgridd: database schema is up to date\n")
      #expect(try await Self.count("civic_schema_migrations", pool) == bundled.count)
      // Current: nothing to do, nothing changed.
      let current = try await Self.civicgridd(["migrate"], url: url)
      #expect(current.status == 0, "\(current.stderr)")
      #expect(current.stdout == "civicgridd: database schema is up to date\n")
      #expect(try await Self.count("civic_schema_migrations", pool) == bundled.count)
    }
    try await Self.withScratchDatabase { url, pool in
      // Old: the first two migrations applied by an earlier release.
      _ = try await Migrator(migrations: Array(bundled.prefix(2)), logger: Self.logger).migrate(pool)
      #expect(try await Self.count("civic_schema_migrations", pool) == 2)
      let old = try await Self.civicgridd(["migrate"], url: url)
      #expect(old.status == 0, "\(old.stderr)")
      #expect(old.stdout == "civicgridd: database schema is up to date\n")
      let versions = try await pool.query("SELECT version FROM civic_schema_migrations ORDER BY version").rows.map {
        try $0.decode(Int.self, at: 0)
      }
      #expect(versions == bundled.map(\.version))
    }
  }

  @Test("migrate refuses (exit 1) when an applied migration changed, and without a database (exit 64)")
  func migrateRefusals() async throws {
    try await Self.withScratchDatabase { url, pool in
      _ = try await Self.civicgridd(["migrate"], url: url)
      let first = try #require(try Migration.bundled().first)
      try await pool.query("UPDATE civic_schema_migrations SET checksum = 'edited' WHERE version = $1", [first.version])
      let changed = try await Self.civicgridd(["migrate"], url: url)
      #expect(changed.status == 1)
      #expect(changed.stderr.contains("migration \(first.version) (\(first.name)) was changed after it was applied"), "\(changed.stderr)")
      #expect(changed.stdout.isEmpty)
    }
    let none = try await Self.civicgridd(["migrate"], url: nil)
    #expect(none.status == 64)
    #expect(none.stderr.contains("no database: pass --database-url"))
  }

  @Test("bootstrap-admin on a fresh database prints a working token once; with accounts present it refuses, exit 1")
  func bootstrapAdmin() async throws {
    try await Self.withScratchDatabase { url, pool in
      let first = try await Self.civicgridd(
        ["bootstrap-admin", "--district-code", "QX", "--district-name", "Test District", "--login", "root"],
        url: url
      )
      #expect(first.status == 0, "\(first.stderr)")
      let secret = first.stdout.trimmingCharacters(in: .newlines)
      #expect(first.stdout == secret + "\n" && !secret.isEmpty && !secret.contains(" "))
      let account = try await pool.query(
        "SELECT a.roles::text, u.code, u.name FROM accounts a JOIN units u ON u.id = a.unit_id WHERE a.login = 'root'"
      ).rows
      #expect(account.count == 1)
      let (roles, unit, unitName) = try #require(try account.first?.decode((String, String, String).self))
      // Every writing role, so that every duty can be granted on from it (SECURITY.md, Granting).
      #expect(roles == "{admin,clerk,handler,supervisor,grid_worker,mediator,partner}", "\(roles)")
      #expect(unit == "QX" && unitName == "Test District")
      // The token is stored only as its digest, and it is the printed one.
      #expect(try await Self.count("accounts", pool) == 1)
      let stored = try await pool.query(
        "SELECT count(*) FROM tokens WHERE token_sha256 = $1",
        [SQLBytes(BearerToken.digest(of: secret))]
      ).scalar(Int.self)
      #expect(stored == 1)

      let again = try await Self.civicgridd(["bootstrap-admin", "--login", "second"], url: url)
      #expect(again.status == 1)
      #expect(again.stdout.isEmpty, "no token may be printed")
      #expect(again.stderr.contains("civicgridd bootstrap-admin: the directory already has accounts"), "\(again.stderr)")
      #expect(try await Self.count("accounts", pool) == 1)
      #expect(try await Self.count("tokens", pool) == 1)
    }
  }

  @Test("seed-demo run twice: the second run adds nothing but a fresh admin token")
  func seedDemoTwice() async throws {
    try await Self.withScratchDatabase { url, pool in
      let first = try await Self.civicgridd(["seed-demo"], url: url)
      #expect(first.status == 0, "\(first.stderr)")
      let tables = ["units", "accounts", "catalog_items", "catalog_item_versions", "civic_schema_migrations", "request_routing_versions"]
      var counts: [String: Int] = [:]
      for table in tables { counts[table] = try await Self.count(table, pool) }
      #expect(counts["units"]! > 1 && counts["accounts"]! >= 8 && counts["request_routing_versions"] == 1)
      let tokens = try await Self.count("tokens", pool)

      let second = try await Self.civicgridd(["seed-demo"], url: url)
      #expect(second.status == 0, "\(second.stderr)")
      #expect(
        second.stderr.contains(
          "demo district: 0 units and accounts added; demo catalogue: 0 items and handlers added; appointment desk: 0 schedules and offers added"
        ),
        "\(second.stderr)"
      )
      for table in tables { #expect(try await Self.count(table, pool) == counts[table], "\(table)") }
      #expect(try await Self.count("tokens", pool) == tokens + 1)
      let firstToken = first.stdout.trimmingCharacters(in: .newlines)
      let secondToken = second.stdout.trimmingCharacters(in: .newlines)
      #expect(!firstToken.isEmpty && !secondToken.isEmpty && firstToken != secondToken)
    }
  }

  @Test("snapshots: status counts both forms, convert reports what it did; a bad --batch or --to exits 64 naming it")
  func snapshots() async throws {
    try await Self.withScratchDatabase { url, _ in
      let status = try await Self.civicgridd(["snapshots", "status"], url: url)
      #expect(status.status == 0, "\(status.stderr)")
      #expect(status.stdout == "binary 0\njson 0\n")
      let convert = try await Self.civicgridd(["snapshots", "convert", "--to", "json"], url: url)
      #expect(convert.status == 0, "\(convert.stderr)")
      #expect(convert.stdout.hasPrefix("converted 0 snapshots to json in 0 batches, "), "\(convert.stdout)")
      let batch = try await Self.civicgridd(["snapshots", "convert", "--to", "binary", "--batch", "0"], url: url)
      #expect(batch.status == 64)
      #expect(batch.stderr.contains("--batch must be positive, not 0"), "\(batch.stderr)")
      let form = try await Self.civicgridd(["snapshots", "convert", "--to", "yaml"], url: url)
      #expect(form.status == 64)
      #expect(form.stderr.contains("yaml"), "\(form.stderr)")
    }
  }

  @Test("targets check: checks in one process recompute every unit first, then nothing without new events; a bad --checks exits 64 naming it")
  func targetsCheck() async throws {
    try await Self.withScratchDatabase { url, pool in
      let seeded = try await Self.civicgridd(["seed-demo"], url: url)
      #expect(seeded.status == 0, "\(seeded.stderr)")
      let units = try await Self.count("units", pool)
      let checks = try await Self.civicgridd(["targets", "check", "--checks", "2"], url: url)
      #expect(checks.status == 0, "\(checks.stderr)")
      let lines = checks.stdout.split(separator: "\n")
      #expect(lines.count == 2, "\(checks.stdout)")
      #expect(lines.first?.hasPrefix("check 1: everything, \(units) units, ") == true, "\(checks.stdout)")
      #expect(lines.last?.hasPrefix("check 2: nothing, 0 units, 0 alerts, ") == true, "\(checks.stdout)")
      let bad = try await Self.civicgridd(["targets", "check", "--checks", "0"], url: url)
      #expect(bad.status == 64 && bad.stderr.contains("--checks must be 1–100, got 0"), "\(bad.stderr)")
    }
  }
}
