import CivicServer
import CivicServices
import CivicTestSupport
import Foundation
import Testing

/// civicctl's grid administration against a real server and database (the demo district):
/// the event routing table set and shown (people and JSON, the version read first, a stale
/// one refused), a grid's profile set and shown, training recorded and listed with totals,
/// and bad input refused with its exit code.
@Suite("civicctl: event routing, grid profile, training", .serialized, .timeLimit(.minutes(5)))
struct CivicctlGridAdminTests {
  typealias Session = CivicctlSupervisionTests.Session

  @Test("event routing set/show, grid profile set/show, grid training add/list, drawn for people and --json; bad input exits 64, 3 or 10")
  func administration() async throws {
    try await ServiceHarness.withServer { harness in
      let admin = try await Session(harness, as: "admin")
      let supervisor = try await Session(harness, as: "supervisor")
      let grid = try await Session(harness, as: "gridworker")

      let first = try await admin(
        "event", "routing", "set", "--route", "safety-hazard:street:3:2", "--route", "public-security:district/QH-CA:2:1:4",
        "--route", "citizen-request:request/housing", "--acknowledge-minutes", "10"
      )
      #expect(first.status == 0 && first.stdout.contains("Event routing version 1 by admin"), "\(first.stderr)\(first.stdout)")
      #expect(first.stdout.contains("acknowledged within 10 min") && first.stdout.contains("district QH-CA"))
      #expect(first.stdout.contains("request: housing"))
      // Without --expected-version the live version is read first.
      #expect(first.stdout.contains("FIELD-EVENT") && first.stdout.contains("(the request's)"))
      // A sixth part declares the access-list item the category's events count as.
      let second = try await admin("event", "routing", "set", "--route", "safety-hazard:community:4:3:0:hazard-patrol")
      #expect(second.status == 0 && second.stdout.contains("Event routing version 2"), "\(second.stderr)")
      #expect(second.stdout.contains("hazard-patrol"), "\(second.stdout)")
      let stale = try await admin("event", "routing", "set", "--route", "safety-hazard:street:3:2", "--expected-version", "1")
      #expect(stale.status == 10 && stale.stderr.hasPrefix("ABORTED: "), "\(stale.stderr)")
      let shown = try await grid("event", "routing", "show", "--json")
      #expect(shown.status == 0 && shown.stdout.contains("\"version\":2") && shown.stdout.contains("REQUEST_TIER_COMMUNITY"), "\(shown.stdout)")
      let badRoute = try await admin("event", "routing", "set", "--route", "safety-hazard:street:three:2")
      #expect(badRoute.status == 64 && badRoute.stderr.contains("'three' is not a number of working days"), "\(badRoute.stderr)")
      let notAdmin = try await supervisor("event", "routing", "set", "--route", "safety-hazard:street:3:2")
      #expect(notAdmin.status == 7, "\(notAdmin.stderr)")

      let profile = try await supervisor(
        "grid", "profile", "set", "QH-S1-C1-G1", "--boundary", "Heping Lane 1-40", "--households", "380", "--prefix", "Heping Lane",
        "--staff", "worker|Han Mei|gridworker|13800000011|Mon-Fri 08:30-17:30|https://photos.example/han.jpg",
        "--staff", "volunteer|Li Lei||||https://photos.example/li.jpg|hidden"
      )
      #expect(profile.status == 0 && profile.stdout.contains("Grid QH-S1-C1-G1 · version 1 by supervisor"), "\(profile.stderr)\(profile.stdout)")
      #expect(profile.stdout.contains("Households: 380") && profile.stdout.contains("Covers:     Heping Lane"))
      let updated = try await supervisor("grid", "profile", "set", "QH-S1-C1-G1", "--boundary", "Heping Lane 1-60", "--households", "410",
        "--staff", "worker|Han Mei|gridworker|13800000011|Mon-Fri 08:30-17:30")
      #expect(updated.status == 0 && updated.stdout.contains("version 2"), "\(updated.stderr)")
      let read = try await grid("grid", "profile", "show", "QH-S1-C1-G1")
      #expect(read.status == 0 && read.stdout.contains("Boundary:   Heping Lane 1-60") && read.stdout.contains("Han Mei"), "\(read.stderr)")
      let json = try await grid("grid", "profile", "show", "QH-S1-C1-G1", "--json")
      #expect(json.stdout.contains("\"households\":410") && json.stdout.contains("\"GRID_ROLE_WORKER\""), "\(json.stdout)")
      let badStaff = try await supervisor("grid", "profile", "set", "QH-S1-C1-G1", "--boundary", "x", "--households", "1", "--staff", "mayor|Wang")
      #expect(badStaff.status == 64 && badStaff.stderr.contains("grid role"), "\(badStaff.stderr)")
      let notAGrid = try await supervisor("grid", "profile", "set", "QH-S1", "--boundary", "x", "--households", "1", "--expected-version", "0")
      #expect(notAGrid.status == 3 && notAGrid.stderr.hasPrefix("INVALID_ARGUMENT: grid_code"), "\(notAGrid.stderr)")

      let added = try await supervisor("grid", "training", "add", "gridworker", "--course", "Fire safety", "--date", "2026-03-02", "--hours", "3.5")
      #expect(added.status == 0 && added.stdout.contains("gridworker@QH-S1-C1-G1 · 2026-03-02 · 3.5 h · Fire safety"), "\(added.stderr)")
      _ = try await supervisor("grid", "training", "add", "gridworker", "--course", "Mediation basics", "--date", "2026-03-09", "--hours", "2")
      let listed = try await grid("grid", "training", "list", "--from", "2026-03-01", "--to", "2026-03-31")
      #expect(listed.status == 0 && listed.stdout.contains("Mediation basics") && listed.stdout.contains("Fire safety"), "\(listed.stderr)")
      #expect(listed.stdout.contains("TOTAL HOURS") && listed.stdout.split(separator: "\n").contains { $0.hasPrefix("gridworker") && $0.hasSuffix("5.5") })
      let listedJSON = try await grid("grid", "training", "list", "--json")
      #expect(listedJSON.stdout.contains("\"gridworker\":5.5"), "\(listedJSON.stdout)")
      let badHours = try await supervisor("grid", "training", "add", "gridworker", "--course", "x", "--date", "2026-03-02", "--hours", "0.3")
      #expect(badHours.status == 3 && badHours.stderr.hasPrefix("INVALID_ARGUMENT: hours"), "\(badHours.stderr)")
    }
  }
}
