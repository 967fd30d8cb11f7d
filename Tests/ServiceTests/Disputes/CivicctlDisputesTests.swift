import CivicServer
import CivicTestSupport
import Foundation
import Testing

/// civicctl's dispute commands against a real server and database (the demo district): a
/// hotline dispute taken in by the community's mediator, reviewed to two channels, one failed
/// and one agreed, followed up and closed; `show` draws the rounds and routes; a foreign
/// handler is refused with NOT_FOUND's exit code.
@Suite("civicctl: dispute", .serialized, .timeLimit(.minutes(5)))
struct CivicctlDisputesTests {
  typealias Session = CivicctlSupervisionTests.Session

  @Test("dispute submit, review, route, session, outcome, follow-up, close, show, list")
  func lifecycle() async throws {
    try await ServiceHarness.withServer { harness in
      let mediator = try await Session(harness, as: "mediator")
      let handler = try await Session(harness, as: "handler")

      let submitted = try await mediator(
        "dispute", "submit", "--channel", "hotline", "--category", "neighbourhood", "--summary", "Noise from a workshop",
        "--party", "applicant:Zhang Xiuying:110105195303150027:13800138000", "--party", "respondent:Li Wei"
      )
      #expect(submitted.status == 0, "\(submitted.stderr)")
      let first = try #require(submitted.stdout.split(separator: "\n").first)
      let id = String(try #require(first.split(separator: " ").first { $0.hasPrefix("C") }))
      #expect(submitted.stdout.contains("is now registered at rung 1 (community)"))

      let reviewed = try await mediator(
        "dispute", "review", id, "--held-on", "2026-12-07", "--participant", "mediator@QH-S1-C1", "--participant", "QH-CA",
        "--risk", "medium", "--assessment", "neighbours", "--route", "peoples-mediation:QH-S1-C1:5", "--route", "administrative-mediation:QH-CA",
        "--days", "10"
      )
      #expect(reviewed.status == 0, "\(reviewed.stderr)")
      #expect(reviewed.stdout.contains("is now mediating") && reviewed.stdout.contains("#1 QH-S1-C1 pending, #2 QH-CA pending"))
      // The first route runs on its own 5 working days, the second on the review's 10.
      let left = try await mediator("dispute", "route", id).stdout.split(separator: "\n").dropFirst().map { line in
        line.split(separator: " ").enumerated().compactMap { index, word in
          word == "wd" ? Double(line.split(separator: " ")[index - 1]) : nil
        }.first ?? -1
      }
      #expect(left.count == 2 && left[0] > 0 && left[0] <= 5 && left[1] > 5 && left[1] <= 10, "working days left: \(left)")
      let badDays = try await mediator(
        "dispute", "review", id, "--held-on", "2026-12-07", "--participant", "QH-CA", "--risk", "low", "--assessment", "x",
        "--route", "legal-aid:QH-CA:none", "--days", "10"
      )
      #expect(badDays.status == 64 && badDays.stderr.contains("DAYS"), "\(badDays.stderr)")

      let scheduled = try await mediator("dispute", "session", id, "--task", "1", "--at", "2026-12-08T10:00:00+08:00", "--place", "community hall")
      #expect(scheduled.status == 0, "\(scheduled.stderr)")
      let held = try await mediator("dispute", "session", id, "--session", "1", "--attendee", "Zhang Xiuying", "--attendee", "Li Wei", "--notes", "no agreement")
      #expect(held.status == 0, "\(held.stderr)")

      let foreign = try await handler("dispute", "outcome", id, "--task", "1", "--outcome", "failed", "--detail", "x")
      #expect(foreign.status == 5, "another unit's route: NOT_FOUND; \(foreign.stderr)")
      let failed = try await mediator("dispute", "outcome", id, "--task", "1", "--outcome", "failed", "--detail", "no common ground")
      #expect(failed.status == 0 && failed.stdout.contains("is now mediating"), "\(failed.stderr)")
      let agreed = try await handler("dispute", "outcome", id, "--task", "2", "--outcome", "agreement", "--detail", "quiet hours 22-7")
      #expect(agreed.status == 0 && agreed.stdout.contains("is now concluded"), "\(agreed.stderr)")

      let routes = try await mediator("dispute", "route", id)
      let rows = routes.stdout.split(separator: "\n")
      #expect(rows.count == 3 && rows[0].hasPrefix("TASK"))
      #expect(rows[1].contains("peoples-mediation") && rows[1].contains("failed"))
      #expect(rows[2].contains("administrative-mediation") && rows[2].contains("agreement"))

      let followed = try await mediator("dispute", "follow-up", id, "--task", "2", "--fulfilled", "--note", "kept for a month")
      #expect(followed.status == 0, "\(followed.stderr)")
      let closed = try await mediator("dispute", "close", id, "--result", "resolved", "--note", "done", "--rating", "5", "--satisfied")
      #expect(closed.status == 0 && closed.stdout.contains("is now closed"), "\(closed.stderr)")
      let again = try await mediator("dispute", "close", id, "--result", "withdrawn", "--note", "again")
      #expect(again.status == 9, "closed already: FAILED_PRECONDITION; \(again.stderr)")

      let show = try await mediator("dispute", "show", id)
      #expect(show.status == 0, "\(show.stderr)")
      #expect(show.stdout.hasPrefix("Dispute \(id) · dispute (neighbourhood) · closed"))
      #expect(show.stdout.contains("round 1 · 2026-12-07 · risk medium"))
      #expect(show.stdout.contains("[peoples-mediation: #1 QH-S1-C1 ✘ denied"))
      #expect(show.stdout.contains("[administrative-mediation: #2 QH-CA ✔ approved") && show.stdout.contains("→ agreement, fulfilled"))
      #expect(show.stdout.contains("110105195303150027"), "the mediator identifies the parties: ID numbers in full in disputes (issue 13)")
      #expect(show.stdout.contains("held with Zhang Xiuying, Li Wei: no agreement"))
      #expect(show.stdout.contains("returnVisited"))

      let list = try await mediator("dispute", "list", "--state", "closed")
      let listed = list.stdout.split(separator: "\n")
      #expect(listed.count == 2 && listed[1].hasPrefix(id) && listed[1].contains("Zhang Xiuying"))
      let agenda = try await mediator("meeting", "agenda")
      #expect(agenda.status == 0 && agenda.stdout == "Nothing on the agenda.\n", "a closed dispute is off the agenda: \(agenda.stderr)")
    }
  }
}
