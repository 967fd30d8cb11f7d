import CivicServer
import CivicTestSupport
import Foundation
import Testing

/// civicctl's login lifecycle (token on standard input, refusal, revoke, logout) and its
/// appointment commands, against a real server and database. (The plain directory round
/// trip is `Directory/CivicctlEndToEndTests`.)
@Suite("civicctl: login lifecycle and appointments", .serialized, .timeLimit(.minutes(5)))
struct CivicctlStaffTests {
  static var civicctl: URL { Binaries.civicctl }

  struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// Runs civicctl with its config in `home` and no server or token from the caller's environment.
  static func civicctl(_ arguments: [String], home: String, stdin: String? = nil) async throws -> Run {
    var environment = ProcessInfo.processInfo.environment
    for key in ["CIVICCTL_TOKEN", "CIVICGRID_SERVER", "XDG_CONFIG_HOME"] { environment[key] = nil }
    environment["CIVICCTL_CONFIG"] = home + "/civicctl/config.json"
    environment["HOME"] = home
    let result = try await Binaries.runDetached(Self.civicctl, arguments, environment: environment, stdin: stdin)
    return Run(status: result.status, stdout: result.stdout, stderr: result.stderr)
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test("refused login stores nothing; token from stdin; unit, account, token, audit; revoke; logout")
  func staffFlow() async throws {
    try await ServiceHarness.withServer { harness in
      let home = FileManager.default.temporaryDirectory.appendingPathComponent("civicctl-e2e-\(UUID().uuidString)").path
      try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: home) }
      let server = "127.0.0.1:\(harness.ports.wire)"

      // A bad token is refused and nothing is stored.
      let refused = try await Self.civicctl(["login", "--server", server, "--token", "cg_not-a-token"], home: home)
      #expect(refused.status == 16)
      #expect(refused.stderr.hasPrefix("UNAUTHENTICATED: "))
      #expect(!FileManager.default.fileExists(atPath: home + "/civicctl/config.json"))

      // The token comes on standard input, so it is in no argument list; it is never echoed.
      let login = try await Self.civicctl(["login", "--server", server], home: home, stdin: harness.adminToken + "\n")
      #expect(login.status == 0, "\(login.stderr)")
      #expect(login.stdout.contains("as admin"))
      #expect(!login.stdout.contains(harness.adminToken) && !login.stderr.contains(harness.adminToken))
      let attributes = try FileManager.default.attributesOfItem(atPath: home + "/civicctl/config.json")
      #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

      let whoami = try await Self.civicctl(["whoami"], home: home)
      #expect(whoami.status == 0)
      #expect(whoami.stdout.contains("Login:") && whoami.stdout.contains("admin"))

      let unit = try await Self.civicctl(
        ["unit", "create", "--code", "E2E-C1", "--name", "测试社区", "--kind", "community", "--parent", "QH-S1", "--responsible", "王芳"],
        home: home
      )
      #expect(unit.status == 0, "\(unit.stderr)")
      let shown = try await Self.civicctl(["unit", "show", "E2E-C1", "--json"], home: home)
      #expect(try Self.json(shown.stdout)["name"] as? String == "测试社区")
      let listed = try await Self.civicctl(["unit", "list", "--root", "QH-S1", "--kind", "community"], home: home)
      #expect(listed.stdout.split(separator: "\n").first?.hasPrefix("CODE") == true)
      #expect(listed.stdout.contains("E2E-C1") && listed.stdout.contains("测试社区"))

      let account = try await Self.civicctl(
        ["account", "create", "--login", "e2e.clerk", "--name", "E2E Clerk", "--unit", "E2E-C1", "--role", "clerk"],
        home: home
      )
      #expect(account.status == 0, "\(account.stderr)")

      let issued = try await Self.civicctl(
        ["account", "token", "issue", "e2e.clerk", "--label", "e2e", "--ttl", "12h", "--json"],
        home: home
      )
      #expect(issued.status == 0, "\(issued.stderr)")
      let secret = try #require(try Self.json(issued.stdout)["secret"] as? String)

      // The new token works through --token, and the stored one is left alone.
      let clerk = try await Self.civicctl(["whoami", "--json", "--token", secret], home: home)
      let me = try Self.json(clerk.stdout)
      #expect((me["account"] as? [String: Any])?["login"] as? String == "e2e.clerk")

      let tokens = try await Self.civicctl(["account", "token", "list", "e2e.clerk"], home: home)
      #expect(tokens.stdout.contains("e2e") && tokens.stdout.contains("live"))
      #expect(!tokens.stdout.contains(secret))

      let audit = try await Self.civicctl(["audit", "list", "--account", "admin", "--since", "1h", "--json", "--limit", "0"], home: home)
      #expect(audit.status == 0, "\(audit.stderr)")
      let entries = try #require(try Self.json(audit.stdout)["entries"] as? [[String: Any]])
      let changes = entries.map { "\($0["method"] as? String ?? "") \($0["object"] as? String ?? "")" }
      #expect(changes.contains("civicgrid.v1.Directory/CreateUnit unit:E2E-C1"))
      #expect(changes.contains("civicgrid.v1.Directory/CreateAccount account:e2e.clerk"))
      #expect(changes.contains("civicgrid.v1.Directory/IssueToken account:e2e.clerk"))
      let table = try await Self.civicctl(["audit", "list", "--object", "unit:E2E-C1"], home: home)
      #expect(table.stdout.contains("Directory/CreateUnit") && table.stdout.contains("unit:E2E-C1"))

      let verify = try await Self.civicctl(["audit", "verify"], home: home)
      #expect(verify.status == 0)
      #expect(verify.stdout.hasPrefix("intact: "))

      // Revoked: the clerk's token stops working with the documented status and exit code.
      let tokenID = try #require((try Self.json(issued.stdout)["token"] as? [String: Any])?["id"] as? String)
      #expect(try await Self.civicctl(["account", "token", "revoke", tokenID], home: home).status == 0)
      let afterRevoke = try await Self.civicctl(["whoami", "--token", secret], home: home)
      #expect(afterRevoke.status == 16)

      let logout = try await Self.civicctl(["logout"], home: home)
      #expect(logout.status == 0)
      #expect(!FileManager.default.fileExists(atPath: home + "/civicctl/config.json"))
      let anonymous = try await Self.civicctl(["whoami", "--server", server], home: home)
      #expect(anonymous.status == 16)
    }
  }

  @Test("slot list → appointment book → checkin; a second booking cancelled; schedule set through `civicctl call`")
  func appointmentFlow() async throws {
    try await ServiceHarness.withServer { harness in
      let home = FileManager.default.temporaryDirectory.appendingPathComponent("civicctl-e2e-\(UUID().uuidString)").path
      try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: home) }
      let server = "127.0.0.1:\(harness.ports.grpc)"
      let login = try await Self.civicctl(["login", "--server", server, "--transport", "http2", "--token", harness.adminToken], home: home)
      #expect(login.status == 0, "\(login.stderr)")

      let formatter = DateFormatter()
      formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
      formatter.dateFormat = "yyyy-MM-dd"
      let days = [0, 1].map { formatter.string(from: Date().addingTimeInterval(Double($0) * 86_400)) }
      let roster = days.map { #"{"kind":"ROSTER_KIND_WEEKEND_DUTY","date":"\#($0)","period":{"open":"00:00","close":"24:00"}}"# }
      let schedule = try await Self.civicctl(
        [
          "call", "civicgrid.v1.Appointments/SetCentreSchedule",
          "--data", #"{"schedule":{"centreCode":"QH-GSC","roster":["# + roster.joined(separator: ",") + "]}}",
        ],
        home: home
      )
      #expect(schedule.status == 0, "\(schedule.stderr)")
      let offer = try await Self.civicctl(
        [
          "call", "civicgrid.v1.Appointments/SetOffer",
          "--data", #"{"offer":{"centreCode":"QH-GSC","itemCode":"QH-PS-001","slotMinutes":30,"capacity":2}}"#,
        ],
        home: home
      )
      #expect(offer.status == 0, "\(offer.stderr)")

      let slots = try await Self.civicctl(
        ["slot", "list", "--centre", "QH-GSC", "--item", "QH-PS-001", "--available", "--json"],
        home: home
      )
      #expect(slots.status == 0, "\(slots.stderr)")
      let first = try #require((try Self.json(slots.stdout)["slots"] as? [[String: Any]])?.first)
      let date = try #require(first["date"] as? String)
      let start = try #require(first["start"] as? String)
      let table = try await Self.civicctl(
        ["slot", "list", "--centre", "QH-GSC", "--item", "QH-PS-001", "--from", date, "--to", date],
        home: home
      )
      #expect(table.stdout.hasPrefix("DATE") && table.stdout.contains("weekend duty"))

      let book = ["appointment", "book", "--centre", "QH-GSC", "--item", "QH-PS-001", "--date", date, "--start", start]
      let booked = try await Self.civicctl(
        book + ["--name", "王芳", "--phone", "13800138000", "--id-number", "11010119500101123X", "--json"], home: home)
      #expect(booked.status == 0, "\(booked.stderr)")
      let id = try #require(try Self.json(booked.stdout)["id"] as? String)
      let second = try await Self.civicctl(book + ["--name", "Li Si", "--json"], home: home)
      let secondID = try #require(try Self.json(second.stdout)["id"] as? String)
      let full = try await Self.civicctl(book + ["--name", "Third"], home: home)
      #expect(full.status == 8)
      #expect(full.stderr.hasPrefix("RESOURCE_EXHAUSTED: "))
      let noSlot = try await Self.civicctl(
        ["appointment", "book", "--centre", "QH-GSC", "--item", "QH-PS-001", "--date", date, "--start", "03:17", "--name", "X"],
        home: home
      )
      #expect(noSlot.status == 3)

      let checkedIn = try await Self.civicctl(["appointment", "checkin", id], home: home)
      #expect(checkedIn.status == 0, "\(checkedIn.stderr)")
      #expect(checkedIn.stdout.contains("checked in"))
      // Check-in made the application: the case is on the APPOINTMENT channel.
      let made = try await Self.civicctl(["case", "list", "--json"], home: home)
      #expect(made.stdout.contains("APPOINTMENT") || made.stdout.contains("appointment"), "\(made.stdout)")
      let cancelled = try await Self.civicctl(["appointment", "cancel", secondID, "--reason", "cannot come"], home: home)
      #expect(cancelled.status == 0, "\(cancelled.stderr)")
      let cancelAgain = try await Self.civicctl(["appointment", "cancel", secondID, "--reason", "again"], home: home)
      #expect(cancelAgain.status == 9)
      #expect(cancelAgain.stderr.hasPrefix("FAILED_PRECONDITION: "))
      let shown = try await Self.civicctl(["appointment", "show", secondID], home: home)
      #expect(shown.stdout.contains("cancelled (cannot come)"))

      let audit = try await Self.civicctl(["audit", "list", "--object", "appointment:\(id)"], home: home)
      #expect(audit.stdout.contains("Appointments/BookAppointment") && audit.stdout.contains("Appointments/CheckIn"))
      #expect(try await Self.civicctl(["audit", "verify"], home: home).status == 0)
    }
  }
}
