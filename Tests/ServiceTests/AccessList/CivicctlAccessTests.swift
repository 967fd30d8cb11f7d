import CivicServer
import CivicServices
import CivicStore
import CivicTestSupport
import Foundation
import Testing

/// civicctl's access commands against a real server and database (the demo district): an
/// admin proposes a community's list, the proposer may not approve it, a supervisor does; the
/// next proposal removes an item and is rejected; `--json` prints the answer.
@Suite("civicctl: access", .serialized, .timeLimit(.minutes(5)))
struct CivicctlAccessTests {
  typealias Session = CivicctlSupervisionTests.Session

  @Test("access list, propose, approve (not by the proposer), reject, refusals")
  func lifecycle() async throws {
    try await ServiceHarness.withServer { harness in
      _ = try await harness.account("admin-qh", unit: "QH", roles: [.admin, .supervisor])
      _ = try await harness.account("sup-qh", unit: "QH", roles: [.supervisor])
      let admin = try await Session(harness, as: "admin-qh")
      let supervisor = try await Session(harness, as: "sup-qh")

      let empty = try await admin("access", "list", "QH-S1-C1")
      #expect(empty.status == 0 && empty.stdout.contains("none published"), "\(empty.stdout)\(empty.stderr)")
      let proposed = try await admin(
        "access", "propose", "QH-S1-C1", "--note", "first list",
        "--item", "DISPUTE|People's mediation|District Civil Affairs Bureau|2026-01-15|District notice 2026-3",
        "--item", "CITIZEN-REQUEST|Residents' requests|District Civil Affairs Bureau|2026-01-15|District notice 2026-3"
      )
      #expect(proposed.status == 0 && proposed.stdout.contains("adds:    CITIZEN-REQUEST, DISPUTE"), "\(proposed.stdout)\(proposed.stderr)")
      let own = try await admin("access", "approve", "QH-S1-C1", "--version", "1")
      #expect(own.status == 7 && own.stderr.contains("proposer"), "PERMISSION_DENIED: \(own.stderr)")
      let approved = try await supervisor("access", "approve", "QH-S1-C1", "--version", "1", "--note", "agreed")
      #expect(approved.status == 0 && approved.stdout.contains("version 1, published"), "\(approved.stdout)\(approved.stderr)")
      #expect(approved.stdout.contains("People's mediation") && approved.stdout.contains("District notice 2026-3"))

      let second = try await admin("access", "propose", "QH-S1-C1", "--remove", "CITIZEN-REQUEST")
      #expect(second.status == 0 && second.stdout.contains("removes: CITIZEN-REQUEST"), "\(second.stdout)\(second.stderr)")
      let rejected = try await supervisor("access", "reject", "QH-S1-C1", "--version", "2", "--json")
      #expect(rejected.status == 0 && !rejected.stdout.contains("\"proposal\""), "\(rejected.stdout)")
      let listed = try await supervisor("access", "list", "QH-S1-C1", "--json")
      #expect(listed.status == 0 && listed.stdout.contains("\"CITIZEN-REQUEST\""), "\(listed.stdout)")

      let badItem = try await admin("access", "propose", "QH-S1-C1", "--item", "DISPUTE|only two")
      #expect(badItem.status == 64 && badItem.stderr.contains("--item"), "\(badItem.stderr)")
      let notCommunity = try await admin("access", "list", "QH-CA")
      #expect(notCommunity.status == 3 && notCommunity.stderr.contains("unit_code"), "\(notCommunity.stderr)")
      let refusals = try await supervisor("access", "refusals", "--from", "2026-01-01", "--to", "2026-12-31")
      #expect(refusals.status == 0 && refusals.stdout.contains("SENDER"), "\(refusals.stderr)")
      let audited = try await harness.store.query("SELECT count(*)::int FROM audit_log WHERE object = 'access-list/QH-S1-C1'", []).scalar(Int.self)
      #expect(audited == 4)
    }
  }
}
