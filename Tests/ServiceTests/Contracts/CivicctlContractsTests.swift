import CivicDomain
import CivicServer
import CivicServices
import CivicStore
import CivicTestSupport
import Foundation
import Testing

/// civicctl's contract commands against a real server and database (the demo district): an
/// admin records a contract for a social organisation, shows it drawn and lists it as JSON;
/// bad terms exit with the status's code, bad flags with 64.
@Suite("civicctl: contract", .serialized, .timeLimit(.minutes(5)))
struct CivicctlContractsTests {
  typealias Session = CivicctlSupervisionTests.Session

  @Test("contract create, show, list --json; a bad amount exits 64 and an organisation that is none exits 3 naming the field")
  func lifecycle() async throws {
    try await ServiceHarness.withServer { harness in
      _ = try await harness.account("admin-qh", unit: "QH", roles: [.admin])
      let admin = try await Session(harness, as: "admin-qh")
      let created = try await admin(
        "contract", "create", "--purchaser", "QH", "--organisation", "QH-SO1", "--title", "Neighbourhood mediation",
        "--item", "DISPUTE", "--from", "2026-01-01", "--to", "2199-12-31", "--amount", "120000.5", "--target-tasks", "40",
        "--target-on-time", "90"
      )
      #expect(created.status == 0, "\(created.stderr)")
      #expect(created.stdout.contains("SC000001 Neighbourhood mediation") && created.stdout.contains("120,000.50 yuan"), "\(created.stdout)")
      #expect(created.stdout.contains("2026-01-01 … 2199-12-31 (active)") && created.stdout.contains("below"), "\(created.stdout)")

      let shown = try await admin("contract", "show", "SC000001")
      #expect(shown.status == 0 && shown.stdout.contains("QH-SO1") && shown.stdout.contains("DISPUTE"), "\(shown.stderr)")
      let listed = try await admin("contract", "list", "--organisation", "QH-SO1", "--json")
      #expect(listed.status == 0 && listed.stdout.contains("\"id\":\"SC000001\""), "\(listed.stdout)")

      let badAmount = try await admin(
        "contract", "create", "--purchaser", "QH", "--organisation", "QH-SO1", "--title", "x", "--item", "DISPUTE",
        "--from", "2026-01-01", "--to", "2026-12-31", "--amount", "12.345"
      )
      #expect(badAmount.status == 64 && badAmount.stderr.contains("--amount"), "\(badAmount.stderr)")
      let notOrganisation = try await admin(
        "contract", "create", "--purchaser", "QH", "--organisation", "QH-CA", "--title", "x", "--item", "DISPUTE",
        "--from", "2026-01-01", "--to", "2026-12-31", "--amount", "100"
      )
      #expect(notOrganisation.status == 3 && notOrganisation.stderr.contains("organisation_unit_code"), "\(notOrganisation.stderr)")
      let audited = try await harness.store.query("SELECT count(*)::int FROM audit_log WHERE object = 'contract/SC000001'", []).scalar(Int.self)
      #expect(audited == 1)
    }
  }

  @Test("contract amend and end: new versions shown with their history; a handler is refused (7), a stale version is ABORTED (10), a bad last day exits 3 naming ends_on")
  func amendAndEnd() async throws {
    try await ServiceHarness.withServer { harness in
      _ = try await harness.account("admin-qh", unit: "QH", roles: [.admin])
      _ = try await harness.account("handler-qh", unit: "QH", roles: [.handler])
      let admin = try await Session(harness, as: "admin-qh")
      let handler = try await Session(harness, as: "handler-qh")
      let created = try await admin(
        "contract", "create", "--purchaser", "QH", "--organisation", "QH-SO1", "--title", "Neighbourhood mediation",
        "--item", "DISPUTE", "--from", "2026-01-01", "--to", "2199-12-31", "--amount", "1000"
      )
      #expect(created.status == 0, "\(created.stderr)")

      let denied = try await handler("contract", "end", "SC000001", "--version", "1", "--last-day", "2199-01-01", "--reason", "x")
      #expect(denied.status == 7, "\(denied.stderr)")
      let amended = try await admin(
        "contract", "amend", "SC000001", "--version", "1", "--reason", "budget raised", "--amount", "1500", "--to", "2199-06-30"
      )
      #expect(amended.status == 0, "\(amended.stderr)")
      #expect(amended.stdout.contains("1,500.00 yuan") && amended.stdout.contains("budget raised"), "\(amended.stdout)")
      #expect(amended.stdout.contains("ends_on 2199-12-31 → 2199-06-30; amount_fen 100000 → 150000"), "\(amended.stdout)")
      let stale = try await admin("contract", "end", "SC000001", "--version", "1", "--last-day", "2199-01-01", "--reason", "x")
      #expect(stale.status == 10, "\(stale.stderr)")
      let badDay = try await admin("contract", "end", "SC000001", "--version", "2", "--last-day", "2199-06-30", "--reason", "x")
      #expect(badDay.status == 3 && badDay.stderr.contains("ends_on"), "\(badDay.stderr)")
      let ended = try await admin("contract", "end", "SC000001", "--version", "2", "--last-day", "2199-01-01", "--reason", "merged into SC2", "--json")
      #expect(ended.status == 0 && ended.stdout.contains("\"endReason\":\"merged into SC2\""), "\(ended.stdout)")
      let nothing = try await admin("contract", "amend", "SC000001", "--version", "3", "--reason", "x")
      #expect(nothing.status == 64, "\(nothing.stderr)")
      let audited = try await harness.store.query("SELECT count(*)::int FROM audit_log WHERE object = 'contract/SC000001'", []).scalar(Int.self)
      #expect(audited == 3)
    }
  }

  @Test("item list and show draw a published item as suspended once its organisation's contract ended, naming the contract and its last day, and --json carries it; a new contract lifts it")
  func itemSuspension() async throws {
    try await ServiceHarness.withServer { harness in
      _ = try await harness.account("admin-qh", unit: "QH", roles: [.admin])
      let admin = try await Session(harness, as: "admin-qh")
      let today = ContractChangesTests.today
      let yesterday = today.adding(days: -1)
      let drafted = try await admin(
        "item", "create", "--code", "QH-SO1-CARE", "--name", "Home care", "--category", "social-assistance", "--stage", "QH-SO1:3"
      )
      #expect(drafted.status == 0, "\(drafted.stderr)")
      let created = try await admin(
        "contract", "create", "--purchaser", "QH", "--organisation", "QH-SO1", "--title", "Home care", "--item", "QH-SO1-CARE",
        "--from", "2020-01-01", "--to", "2199-12-31", "--amount", "1000"
      )
      #expect(created.status == 0, "\(created.stderr)")
      let published = try await admin("item", "publish", "QH-SO1-CARE")
      #expect(published.status == 0, "\(published.stderr)")
      #expect(try await admin("item", "list").stdout.contains("v1 published") == true)

      let ended = try await admin("contract", "end", "SC000001", "--version", "1", "--last-day", yesterday.description, "--reason", "licence lost")
      #expect(ended.status == 0, "\(ended.stderr)")
      let list = try await admin("item", "list")
      #expect(list.stdout.contains("v1 published, suspended (SC000001 with QH-SO1 ended \(yesterday))"), "\(list.stdout)")
      let json = try await admin("item", "list", "--json")
      #expect(json.stdout.contains("\"contractSuspension\"") && json.stdout.contains("\"endedOn\":\"\(yesterday)\""), "\(json.stdout)")
      let show = try await admin("item", "show", "QH-SO1-CARE")
      #expect(CivicctlSupervisionTests.field("Intake", in: show.stdout)?.hasPrefix("suspended: service purchase contract") == true, "\(show.stdout)")

      let renewed = try await admin(
        "contract", "create", "--purchaser", "QH", "--organisation", "QH-SO1", "--title", "Home care, renewed", "--item", "QH-SO1-CARE",
        "--from", today.description, "--to", "2199-12-31", "--amount", "1000"
      )
      #expect(renewed.status == 0, "\(renewed.stderr)")
      let lifted = try await admin("item", "list")
      #expect(lifted.stdout.contains("v1 published") && !lifted.stdout.contains("suspended"), "\(lifted.stdout)")
    }
  }
}
