import CivicServer
import CivicServices
import CivicTestSupport
import Foundation
import Testing

/// civicctl's event, grid and visit commands against a real server and database (the demo
/// district): the routing table set through `call`, an event reported with a point and an
/// attachment, routed to the street, handled by the street, closed, shown and listed (and as
/// JSON); a grid's card published and read by address; the analysis; a refusal's exit code.
@Suite("civicctl: event, grid", .serialized, .timeLimit(.minutes(5)))
struct CivicctlGridTests {
  @Test("event report, route, handle, close, show, list --json; grid card --address; grid stats; bad input exits 3")
  func lifecycle() async throws {
    try await ServiceHarness.withServer { harness in
      let people = try await GridCivicctlSessions(harness)
      let (admin, grid, street, supervisor) = (people.admin, people.grid, people.street, people.supervisor)
      try await people.publishRouting(
        #"{"category":"FIELD_EVENT_CATEGORY_SAFETY_HAZARD","tier":"REQUEST_TIER_STREET","workingDays":3,"urgentHours":2}"#
      )

      let reported = try await grid(
        "event",
        "report",
        "--category",
        "safety-hazard",
        "--location",
        "Heping Lane 7",
        "--description",
        "Loose manhole cover",
        "--point",
        "39.91,116.40",
        "--attachment",
        "https://files.example/p/7.jpg:\(String(repeating: "ab", count: 32)):2048:image/jpeg"
      )
      #expect(reported.status == 0, "\(reported.stderr)")
      let id = try #require(reported.stdout.split(separator: " ").dropFirst().first.map(String.init))
      #expect(reported.stdout.contains("safety-hazard · reported"))
      // The place is personal data: the grid worker gets it masked and the point left out.
      #expect(reported.stdout.contains("grid QH-S1-C1-G1, ***") && !reported.stdout.contains("Heping") && !reported.stdout.contains("39.91"))
      #expect(reported.stdout.contains("Attached: image/jpeg 2048 B https://files.example/p/7.jpg"))

      let routed = try await grid("event", "route", id)
      #expect(routed.status == 0 && routed.stdout.contains("Task #1: QH-S1 · pending · 3 wd"), "\(routed.stderr)\(routed.stdout)")
      let foreign = try await grid("event", "handle", id, "--evidence", "not mine to do")
      #expect(foreign.status == 5 && foreign.stderr.hasPrefix("NOT_FOUND: "))
      let handled = try await street("event", "handle", id, "--evidence", "Cover fixed and marked")
      #expect(
        handled.status == 0 && handled.stdout.contains("· handled") && handled.stdout.contains("Evidence: Cover fixed")
          && handled.stdout.contains("Heping Lane 7 (39.91000, 116.40000)"),  // a handler sees the place in full
        "\(handled.stderr)"
      )
      let closed = try await grid("event", "close", id)
      #expect(closed.status == 0 && closed.stdout.contains("· closed"), "\(closed.stderr)")
      let shown = try await supervisor("event", "show", id)
      #expect(shown.stdout.contains("taskApproved") || shown.stdout.contains("approved"))
      let listed = try await grid("event", "list", "--category", "safety-hazard", "--json")
      #expect(
        listed.status == 0 && listed.stdout.contains("\"\(id)\"") && listed.stdout.contains("\"closed\""),
        "\(listed.stderr)\(listed.stdout)"
      )
      let bad = try await grid("event", "report", "--category", "other", "--location", " ", "--description", "x")
      #expect(bad.status == 3 && bad.stderr.hasPrefix("INVALID_ARGUMENT: location"))

      let profile = try await admin(
        "call",
        "civicgrid.v1.Grids/SetGridProfile",
        "--data",
        #"{"gridCode":"QH-S1-C1-G1","boundary":"Heping Lane 1-40","households":380,"areaPrefixes":["Heping Lane"],"staff":[{"name":"Han Mei","role":"GRID_ROLE_WORKER","dutyNumber":"13800000011","dutyHours":"Mon-Fri 08:30-17:30","published":true}]}"#
      )
      #expect(profile.status == 0, "\(profile.stderr)")
      let card = try await grid("grid", "card", "--address", "Heping Lane 7, unit 2")
      #expect(
        card.status == 0 && card.stdout.contains("Grid QH-S1-C1-G1") && card.stdout.contains("Han Mei")
          && card.stdout.contains("13800000011"),
        "\(card.stderr)"
      )
      // A week back to tomorrow (UTC), so the report's Beijing date is inside whatever the hour.
      let day = { (offset: Double) in String(ISO8601DateFormatter().string(from: Date().addingTimeInterval(offset * 86_400)).prefix(10)) }
      let stats = try await supervisor("grid", "stats", "--unit", "QH-S1", "--from", day(-7), "--to", day(1))
      #expect(
        stats.status == 0 && stats.stdout.contains("QH-S1-C1-G1") && stats.stdout.contains("safetyHazard 1"),
        "\(stats.stderr)\(stats.stdout)"
      )
    }
  }
}
