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
}
