import CivicServer
import CivicTestSupport
import Foundation
import Testing

/// civicctl's supervision commands against a real server and database (the demo district): an
/// order through its lifecycle (issue with a retried idempotency key, ack, reply, a rejected
/// reply escalating it, verify, list, show, an escalation refused with its exit code), a
/// notice, an inspection round.
@Suite("civicctl: order, notice, inspection", .serialized, .timeLimit(.minutes(5)))
struct CivicctlSupervisionTests {
  typealias Run = CivicctlStaffTests.Run

  /// A civicctl home logged in to the harness server as `login`.
  final class Session: Sendable {
    let home: String

    init(_ harness: ServiceHarness, as login: String) async throws {
      self.home = FileManager.default.temporaryDirectory.appendingPathComponent("civicctl-sup-\(login)-\(UUID().uuidString)").path
      try FileManager.default.createDirectory(atPath: self.home, withIntermediateDirectories: true)
      let token = try await harness.token(for: login)
      let run = try await CivicctlStaffTests.civicctl(
        ["login", "--server", "127.0.0.1:\(harness.ports.wire)"],
        home: self.home,
        stdin: token + "\n"
      )
      #expect(run.status == 0, "login as \(login): \(run.stderr)")
    }

    func callAsFunction(_ arguments: String...) async throws -> Run {
      try await CivicctlStaffTests.civicctl(arguments, home: self.home)
    }

    deinit { try? FileManager.default.removeItem(atPath: self.home) }
  }

  /// The value of `key` in civicctl's `key: value` block.
  static func field(_ key: String, in text: String) -> String? {
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
      return line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return nil
  }

  @Test("order issue, ack, reply, verify --reject (escalates), verify, list, show; escalate refused with exit 9")
  func orders() async throws {
    try await ServiceHarness.withServer { harness in
      let supervisor = try await Session(harness, as: "supervisor")
      let handler = try await Session(harness, as: "handler")

      let issue = [
        "order", "issue", "--title", "Backlog", "--requirement", "Clear it", "--unit", "QH-CA", "--days", "2", "--idempotency-key",
        "backlog-1",
      ]
      let issued = try await CivicctlStaffTests.civicctl(issue, home: supervisor.home)
      #expect(issued.status == 0, "\(issued.stderr)")
      let id = try #require(Self.field("order", in: issued.stdout))
      let retried = try await CivicctlStaffTests.civicctl(issue, home: supervisor.home)
      #expect(Self.field("order", in: retried.stdout) == id, "a retry with the same key answers the same order")
      #expect(id.hasPrefix("C"))
      #expect(Self.field("state", in: issued.stdout) == "issued" && Self.field("level", in: issued.stdout) == "ordinary")
      #expect(Self.field("unit", in: issued.stdout) == "QH-CA")

      // Not overdue: the server refuses, civicctl exits with FAILED_PRECONDITION's code and says why.
      let early = try await supervisor("order", "escalate", id, "--reason", "no reply")
      #expect(early.status == 9)
      #expect(early.stderr.hasPrefix("FAILED_PRECONDITION: ") && early.stderr.contains("not overdue"))

      let acked = try await handler("order", "ack", id)
      #expect(acked.status == 0, "\(acked.stderr)")
      #expect(Self.field("state", in: acked.stdout) == "acknowledged")
      let replied = try await handler("order", "reply", id, "--text", "Half done")
      #expect(Self.field("state", in: replied.stdout) == "replied" && Self.field("reply", in: replied.stdout) == "Half done")

      // A rejected reply escalates: ordinary → listed at the same unit.
      let rejected = try await supervisor("order", "verify", id, "--reject", "--note", "not done")
      #expect(rejected.status == 0, "\(rejected.stderr)")
      #expect(Self.field("state", in: rejected.stdout) == "issued" && Self.field("level", in: rejected.stdout) == "listed")
      #expect(Self.field("escalations", in: rejected.stdout) == "1")

      _ = try await handler("order", "ack", id)
      _ = try await handler("order", "reply", id, "--text", "All done")
      let closed = try await supervisor("order", "verify", id, "--note", "checked")
      #expect(Self.field("state", in: closed.stdout) == "closed", "\(closed.stderr)")

      let list = try await handler("order", "list", "--level", "listed")
      #expect(list.status == 0, "\(list.stderr)")
      let rows = list.stdout.split(separator: "\n")
      #expect(rows.first?.hasPrefix("ORDER") == true && rows.count == 2)
      #expect(rows.last?.hasPrefix(id) == true && rows.last?.contains("closed") == true)
      let show = try await handler("order", "show", id, "--json")
      let json = try CivicctlStaffTests.json(show.stdout)
      #expect(json["id"] as? String == id && json["state"] as? String == "closed" && json["reply"] as? String == "All done")

      let missing = try await handler("order", "show", "C999999")
      #expect(missing.status == 5)  // NOT_FOUND
    }
  }

  @Test("notice publish and list; inspection record and list; a handler may not publish")
  func noticesAndInspections() async throws {
    try await ServiceHarness.withServer { harness in
      let supervisor = try await Session(harness, as: "supervisor")
      let handler = try await Session(harness, as: "handler")

      let published = try await supervisor(
        "notice",
        "publish",
        "--kind",
        "criticism",
        "--unit",
        "QH-CA",
        "--period",
        "2026-Q4",
        "--title",
        "Late replies",
        "--body",
        "Three late"
      )
      #expect(published.status == 0, "\(published.stderr)")
      #expect(published.stdout.hasPrefix("notice ") && published.stdout.contains("published: criticism of QH-CA for 2026-Q4"))
      let refused = try await handler(
        "notice",
        "publish",
        "--kind",
        "commendation",
        "--unit",
        "QH-CA",
        "--period",
        "2026-Q4",
        "--title",
        "Good",
        "--body",
        "Good"
      )
      #expect(refused.status == 7)  // PERMISSION_DENIED
      let notices = try await handler("notice", "list", "--period", "2026-Q4")
      #expect(notices.status == 0, "\(notices.stderr)")
      let noticeRows = notices.stdout.split(separator: "\n")
      #expect(noticeRows.count == 2 && noticeRows[1].contains("criticism") && noticeRows[1].contains("Late replies"))

      let recorded = try await supervisor(
        "inspection",
        "record",
        "--period",
        "2026-Q4",
        "--title",
        "Q4 round",
        "--finding",
        "QH-CA:5:Queue numbers not displayed",
        "--finding",
        "QH-S1:10:Forms out of date"
      )
      #expect(recorded.status == 0, "\(recorded.stderr)")
      let recordedRows = recorded.stdout.split(separator: "\n")
      #expect(recordedRows.count == 3 && recordedRows[1].contains("QH-CA") && recordedRows[1].contains("Queue numbers not displayed"))
      let badFinding = try await supervisor("inspection", "record", "--period", "2026-Q4", "--title", "x", "--finding", "QH-CA-no-days")
      #expect(badFinding.status == 64)  // usage
      // The handler of QH-CA sees the round through its own finding, and its rectification as an order.
      let inspections = try await handler("inspection", "list", "--period", "2026-Q4")
      #expect(inspections.status == 0, "\(inspections.stderr)")
      #expect(inspections.stdout.contains("Queue numbers not displayed"))
      let rectifications = try await handler("order", "list", "--rectifications")
      #expect(rectifications.stdout.split(separator: "\n").count == 2)
    }
  }
}
