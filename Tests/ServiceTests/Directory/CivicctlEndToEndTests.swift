import CivicServer
import CivicTestSupport
import Foundation
import Testing

/// The staff CLI as a person uses it, against a real server and database.
@Suite("civicctl end to end", .timeLimit(.minutes(5)))
struct CivicctlEndToEndTests {
  @Test("login → unit create → account create → token issue → audit list shows the rows → audit verify intact")
  func directoryRoundTrip() async throws {
    try await ServiceHarness.withServer { harness in
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent("civicctl-\(UUID().uuidString)")
      defer { try? FileManager.default.removeItem(at: folder) }
      var environment = ProcessInfo.processInfo.environment
      environment["CIVICCTL_CONFIG"] = folder.appendingPathComponent("config.json").path
      environment["CIVICCTL_TOKEN"] = nil
      func civicctl(_ arguments: String...) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await Binaries.runDetached(Binaries.civicctl, arguments, environment: environment)
      }

      let login = try await civicctl("login", "--server", "127.0.0.1:\(harness.ports.wire)", "--token", harness.adminToken)
      #expect(login.status == 0, "\(login.stderr)")
      #expect(!login.stdout.contains(harness.adminToken), "the token is never printed back")
      let mode = try FileManager.default.attributesOfItem(atPath: environment["CIVICCTL_CONFIG"]!)[.posixPermissions] as? Int
      #expect(mode.map { $0 & 0o777 } == 0o600)

      let unit = try await civicctl(
        "unit",
        "create",
        "--code",
        "QH-S2-C3-G4",
        "--name",
        "Binhe Grid 4",
        "--kind",
        "grid",
        "--parent",
        "QH-S2-C3"
      )
      #expect(unit.status == 0, "\(unit.stderr)")
      let account = try await civicctl(
        "account",
        "create",
        "--login",
        "gw4",
        "--name",
        "Grid Worker Four",
        "--unit",
        "QH-S2-C3-G4",
        "--role",
        "grid_worker"
      )
      #expect(account.status == 0, "\(account.stderr)")
      let token = try await civicctl("account", "token", "issue", "gw4", "--label", "tablet", "--ttl", "12h", "--json")
      #expect(token.status == 0, "\(token.stderr)")
      #expect(token.stdout.contains("cg_"))

      let listed = try await civicctl("audit", "list", "--account", "admin", "--json")
      #expect(listed.status == 0, "\(listed.stderr)")
      for object in ["unit:QH-S2-C3-G4", "account:gw4"] {
        #expect(listed.stdout.contains(object), "audit list shows \(object)")
      }
      let table = try await civicctl("unit", "list", "--root", "QH-S2-C3")
      #expect(table.stdout.contains("QH-S2-C3-G4"))
      #expect(table.stdout.contains("Binhe Grid 4"))

      let verify = try await civicctl("audit", "verify")
      #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
      #expect(verify.stdout.hasPrefix("intact"))

      // A failure prints the status name and exits with its code.
      let missing = try await civicctl("unit", "show", "NOPE")
      #expect(missing.status == 5)
      #expect(missing.stderr.contains("NOT_FOUND"))
    }
  }
}
