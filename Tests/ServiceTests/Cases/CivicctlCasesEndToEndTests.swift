import CivicServer
import Foundation
import Testing

/// The staff CLI over the case engine as the people at a centre use it, against a real
/// server with the demo district and catalogue: a clerk takes in an individual business
/// licence application, each department's handler claims and approves its task, and
/// `case show` draws where the case stands after every step.
@Suite("civicctl cases end to end", .timeLimit(.minutes(5)))
struct CivicctlCasesEndToEndTests {
  @Test("item list shows the demo catalogue; submit → accept → claim and approve each stage → deliver; case show draws the stages")
  func caseThroughCompletion() async throws {
    try await ServiceHarness.withServer { harness in
      let cli = CivicctlRunner(wirePort: harness.ports.wire)
      defer { cli.close() }

      // The catalogue: twenty items, two- and three-stage ones among them.
      let items = try await cli.callAs(harness.adminToken, "item", "list")
      #expect(items.status == 0, "\(items.stderr)")
      for expected in ["QH-PS-001", "Residence certificate", "QH-CA-001", "Minimum living allowance", "QH-MR-001", "QH-DPF-001"] {
        #expect(items.stdout.contains(expected), "item list shows \(expected)")
      }
      #expect(items.stdout.contains("QH-CA → QH-HRSS+QH-HUD+QH-MR → QH-CA"))
      #expect(items.stdout.split(separator: "\n").count == 21, "a header and twenty items")
      let item = try await cli.callAs(harness.adminToken, "item", "show", "QH-MR-001")
      #expect(item.stdout.contains("Individual business licence"))
      #expect(item.stdout.contains("QH-HUD, QH-PS"))

      let clerk = try await harness.token(for: "clerk")
      let submitted = try await cli.callAs(
        clerk,
        "case",
        "submit",
        "--json",
        "--item",
        "QH-MR-001",
        "--applicant",
        "Li Xiaohong",
        "--id-number",
        "110105199001011234",
        "--phone",
        "13900001111",
        "--all-materials"
      )
      #expect(submitted.status == 0, "\(submitted.stderr)")
      let json = try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8)) as? [String: Any]
      let id = try #require(json?["id"] as? String)

      let accepted = try await cli.callAs(clerk, "case", "accept", id)
      #expect(accepted.status == 0, "\(accepted.stderr)")
      #expect(accepted.stdout.contains("inProcessing, stage 1"))
      var shown = try await cli.callAs(clerk, "case", "show", id)
      #expect(shown.stdout.contains("▶ stage 1 · 2 wd  [#1 QH-MR ○ pending, 2 wd left]"), "\(shown.stdout)")
      #expect(shown.stdout.contains("  stage 2 · 1 wd  [QH-HUD · not started] [QH-PS · not started]"), "\(shown.stdout)")
      #expect(shown.stdout.contains("Case clock: running"))

      // Stage 1: Market Regulation.
      let mr = try await harness.token(for: "handler-mr")
      let inbox = try await cli.callAs(mr, "task", "inbox")
      #expect(inbox.stdout.contains(id), "\(inbox.stdout)")
      // Another department cannot touch it.
      let hud = try await harness.token(for: "handler-hud")
      let foreign = try await cli.callAs(hud, "task", "claim", id, "1")
      #expect(foreign.status == 5, "\(foreign.stdout) \(foreign.stderr)")
      #expect(foreign.stderr.hasPrefix("NOT_FOUND: "))
      #expect(try await cli.callAs(mr, "task", "claim", id, "1").status == 0)
      shown = try await cli.callAs(clerk, "case", "show", id)
      #expect(shown.stdout.contains("[#1 QH-MR … claimed by handler-mr"), "\(shown.stdout)")
      let approved = try await cli.callAs(mr, "task", "approve", id, "1", "--opinion", "name and premises checked")
      #expect(approved.status == 0, "\(approved.stderr)")
      #expect(approved.stdout.contains("Task #1 (QH-MR) of \(id) is approved"), "\(approved.stdout)")

      // Stage 2: Housing and Public Security in parallel.
      shown = try await cli.callAs(clerk, "case", "show", id)
      #expect(shown.stdout.contains("  stage 1 · 2 wd  [#1 QH-MR ✔ approved by handler-mr"), "\(shown.stdout)")
      #expect(shown.stdout.contains("▶ stage 2 · 1 wd  [#2 QH-HUD ○ pending"), "\(shown.stdout)")
      let ps = try await harness.token(for: "handler-ps")
      for (token, number) in [(hud, "2"), (ps, "3")] {
        let claim = try await cli.callAs(token, "task", "claim", id, number)
        #expect(claim.status == 0, "\(claim.stderr)")
        let approve = try await cli.callAs(token, "task", "approve", id, number)
        #expect(approve.status == 0, "\(approve.stderr)")
      }
      shown = try await cli.callAs(clerk, "case", "show", id)
      #expect(shown.stdout.contains("completed (approved)"), "\(shown.stdout)")
      #expect(!shown.stdout.contains("▶"), "no stage is current once completed")
      #expect(shown.stdout.contains("Case clock: stopped"), "\(shown.stdout)")

      let delivered = try await cli.callAs(clerk, "case", "deliver", id, "--method", "electronic")
      #expect(delivered.status == 0, "\(delivered.stderr)")
      let listed = try await cli.callAs(clerk, "case", "list", "--item", "QH-MR-001")
      #expect(listed.stdout.contains(id))
      #expect(listed.stdout.contains("delivered (approved)"), "\(listed.stdout)")

      // The feed as an auditor sees it: the whole history of the case, in order.
      let auditor = try await harness.token(for: "auditor")
      let events = try await cli.callAs(auditor, "events", "watch", "--case", id, "--count", "3")
      #expect(events.status == 0, "\(events.stderr)")
      #expect(events.stdout.split(separator: "\n").count == 3)
    }
  }
}
