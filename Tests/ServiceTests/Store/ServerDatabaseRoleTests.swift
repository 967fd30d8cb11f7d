import CivicStore
import CivicTestSupport
import Foundation
import Testing

/// civicgridd as deployed: migrates as the owner role and then serves as the application role,
/// which is no superuser (docs/SECURITY.md, "Database roles").
@Suite(
  "civicgridd's database role", .serialized, .timeLimit(.minutes(5)),
  .enabled(if: TestDatabaseURLs.hasSeparateRoles, "needs CIVICGRID_MIGRATION_DATABASE_URL and CIVICGRID_DATABASE_URL as two roles (ops/test)")
)
struct ServerDatabaseRoleTests {
  @Test("civicgridd serve's PostgreSQL sessions are the application role's, no superuser's; the migration session is gone")
  func serveConnectsAsTheApplicationRole() async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("civicgridd-role-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let portFile = folder.appendingPathComponent("ports.json")
    let log = folder.appendingPathComponent("server.log")
    FileManager.default.createFile(atPath: log.path, contents: nil)

    // The database of CIVICGRID_DATABASE_URL itself, as the process gets it from the environment.
    let owner = StorePool(configuration: try ServiceHarness.storeConfiguration(poolSize: 1, owner: true), logger: ServiceHarness.logger)
    let application = StorePool(configuration: try ServiceHarness.storeConfiguration(poolSize: 1), logger: ServiceHarness.logger)
    do {
      try await Self.check(owner: owner, application: application, portFile: portFile, log: log)
      await owner.close()
      await application.close()
    } catch {
      await owner.close()
      await application.close()
      throw error
    }
  }

  static func check(owner: StorePool, application: StorePool, portFile: URL, log: URL) async throws {
    let applicationRole = try #require(try await application.query("SELECT current_user::text").scalar(String.self))
    let ownerRole = try #require(try await owner.query("SELECT current_user::text").scalar(String.self))
    #expect(applicationRole != ownerRole)

    let process = Process()
    process.executableURL = Binaries.civicgridd
    process.arguments = [
      "serve", "--wire-listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
      "--port-file", portFile.path,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = try FileHandle(forWritingTo: log)
    try process.run()
    defer {
      if process.isRunning {
        process.terminate()
        process.waitUntilExit()
      }
    }
    let started = try await Self.eventuallyTrue(seconds: 60) { FileManager.default.fileExists(atPath: portFile.path) || !process.isRunning }
    try #require(started && process.isRunning, "civicgridd did not start: \(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")

    // The health monitor and the warning sweeper keep the pool busy, so sessions show up.
    var sessions: [(role: String, superuser: Bool)] = []
    _ = try await Self.eventuallyTrue(seconds: 20) {
      sessions = try await Self.sessions(on: owner, applicationName: "civicgrid")
      return !sessions.isEmpty
    }
    #expect(!sessions.isEmpty, "no session of civicgridd on the database")
    for session in sessions {
      #expect(session.role == applicationRole)
      #expect(!session.superuser)
    }
    // The migration role's one connection was closed once the schema was ready.
    #expect(try await Self.sessions(on: owner, applicationName: "civicgrid-migrate").isEmpty)

    process.terminate()
    process.waitUntilExit()
    let output = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
    #expect(output.contains("store: schema ready"), "\(output)")
    #expect(!output.contains("connected as a superuser"), "\(output)")
  }

  /// The roles of the sessions on the current database with `applicationName`.
  static func sessions(on pool: StorePool, applicationName: String) async throws -> [(role: String, superuser: Bool)] {
    let rows = try await pool.query(
      """
      SELECT r.rolname::text, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.oid = a.usesysid
      WHERE a.datname = current_database() AND a.application_name = $1 AND a.pid <> pg_backend_pid()
      """,
      [applicationName]
    )
    return try rows.rows.map { row in
      let (role, superuser) = try row.decode((String, Bool).self)
      return (role, superuser)
    }
  }

  /// Polls `condition` every 100 ms for up to `seconds`; returns whether it held.
  static func eventuallyTrue(seconds: Int, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
      if try await condition() { return true }
      try await Task.sleep(for: .milliseconds(100))
    }
    return false
  }
}
