import CivicServer
import CivicServices
import CivicTestSupport
import Foundation
import Testing

/// civicctl's request commands against a real server and database (the demo district): the
/// routing table set and shown, a noise complaint from the grid route-previewed, submitted,
/// escalated to the community, answered, rejected once (reopened), answered and confirmed, with
/// `request show` drawing the tiers; a foreign tier's reply refused with NOT_FOUND's exit code.
@Suite("civicctl: request", .serialized, .timeLimit(.minutes(5)))
struct CivicctlRequestsTests {
  typealias Session = CivicctlSupervisionTests.Session

  static func field(_ key: String, in text: String) -> String? { CivicctlSupervisionTests.field(key, in: text) }

  /// The request number on `request show`'s first line ("Request C00000012 · …").
  static func number(_ text: String) -> String? {
    text.split(separator: "\n").first?.split(separator: " ").dropFirst().first.map(String.init)
  }

  @Test("routing set/show, route, submit, escalate, reply, confirm --reject, confirm, show, list; a foreign reply exits 5")
  func lifecycle() async throws {
    try await ServiceHarness.withServer { harness in
      _ = try await harness.account("community-c1", unit: "QH-S1-C1", roles: [.handler])
      let admin = try await Session(harness, as: "admin")
      let grid = try await Session(harness, as: "gridworker")
      let community = try await Session(harness, as: "community-c1")

      // The demo district comes with version 1; setting one makes version 2 and keeps 1.
      let demo = try await grid("request", "routing", "show")
      #expect(demo.status == 0 && demo.stdout.contains("Routing table version 1") && demo.stdout.contains("neighbourhood-noise"), "\(demo.stderr)")
      let set = try await admin("request", "routing", "set", "--route", "noise:Neighbourhood noise:grid:2,3,4,5:QH-HUD")
      #expect(set.status == 0, "\(set.stderr)")
      #expect(set.stdout.contains("Routing table version 2") && set.stdout.contains("grid 2 → community 3 → street 4 → district 5"))
      #expect(set.stdout.contains("earlier: v1"))
      let shown = try await grid("request", "routing", "show")
      #expect(shown.stdout.contains("noise") && shown.stdout.contains("QH-HUD") && !shown.stdout.contains("neighbourhood-noise"))
      #expect(shown.stdout.contains("ACCESS-LIST ITEM") && shown.stdout.contains("CITIZEN-REQUEST"), "\(shown.stdout)")
      // A sixth part declares the access-list item the category's requests count as (the demo's communities have no list).
      let declared = try await admin("request", "routing", "set", "--route", "noise:Neighbourhood noise:grid:2,3,4,5:QH-HUD:noise-mediation")
      #expect(declared.status == 0 && declared.stdout.contains("Routing table version 3"), "\(declared.stderr)")
      #expect(declared.stdout.contains("noise-mediation") && !declared.stdout.contains("CITIZEN-REQUEST"), "\(declared.stdout)")
      let bad = try await admin("request", "routing", "set", "--route", "noise:Noise:grid:2,3:QH-HUD")
      #expect(bad.status == 3 && bad.stderr.hasPrefix("INVALID_ARGUMENT: routes[0].working_days"))

      let route = try await grid("request", "route", "noise")
      #expect(route.status == 0, "\(route.stderr)")
      #expect(route.stdout.contains("QH-S1-C1-G1") && route.stdout.contains("QH-S1-C1 ") && route.stdout.contains("QH-HUD"))

      let submitted = try await grid(
        "request",
        "submit",
        "--type",
        "complaint",
        "--category",
        "noise",
        "--channel",
        "grid-worker",
        "--name",
        "Li Na",
        "--id-number",
        "110101198001011234",
        "--phone",
        "13900139000",
        "--description",
        "Loud music at night"
      )
      #expect(submitted.status == 0, "\(submitted.stderr)")
      let id = try #require(Self.number(submitted.stdout))
      #expect(submitted.stdout.contains("▶ grid · QH-S1-C1-G1 · 2 wd"))
      #expect(submitted.stdout.contains("[QH-HUD · not reached]"))
      #expect(submitted.stdout.contains("110***********1234"), "a grid worker sees the ID number masked")

      let foreign = try await community("request", "reply", id, "--text", "not ours yet")
      #expect(foreign.status == 5 && foreign.stderr.hasPrefix("NOT_FOUND: "))

      let escalated = try await grid("request", "escalate", id, "--reason", "needs the residents' committee")
      #expect(escalated.status == 0, "\(escalated.stderr)")
      #expect(escalated.stdout.contains("✘ grid") && escalated.stdout.contains("escalated: needs the residents' committee"))
      #expect(escalated.stdout.contains("▶ community · QH-S1-C1 · 3 wd"))

      let replied = try await community("request", "reply", id, "--text", "Quiet hours agreed")
      #expect(replied.status == 0 && replied.stdout.contains("Reply: Quiet hours agreed"), "\(replied.stderr)")
      let rejected = try await grid("request", "confirm", id, "--reject", "--note", "Still loud")
      #expect(rejected.status == 0, "\(rejected.stderr)")
      #expect(rejected.stdout.contains("▶ community") && rejected.stdout.contains("atTier, tier 2 of 4"), "reopened at the community")
      _ = try await community("request", "reply", id, "--text", "Speaker removed")
      let confirmed = try await grid("request", "confirm", id, "--note", "Quiet now")
      #expect(confirmed.status == 0 && confirmed.stdout.contains("· completed"), "\(confirmed.stderr)")
      let visited = try await grid("request", "visit", id, "--note", "Still quiet")
      #expect(visited.stdout.contains("Visit: satisfied · Still quiet"))

      let show = try await community("request", "show", id)
      #expect(show.stdout.contains("Timeline") && show.stdout.contains("returnVisited"))
      let list = try await grid("request", "list")
      #expect(list.status == 0 && list.stdout.contains(id) && list.stdout.contains("completed"))
    }
  }
}
