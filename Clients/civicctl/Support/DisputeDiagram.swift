import CivicProtos
import Foundation
import SwiftProtobuf

/// `civicctl dispute show` for people: one line per review round with a box per route (its
/// channel, its engine task as `case show` draws tasks, its outcome), the escalations between
/// rounds, the sessions and the timeline:
///
///       round 1 · 2026-12-07 · risk medium · community · 10 wd  [people's mediation: #1 MC1 ✘ denied, on time → failed]
///             ↓ escalated to street
///     ▶ round 2 · 2026-12-09 · risk high · street · 5 wd  [administrative mediation: #2 FIN ○ pending, 5 wd left]
struct DisputeDiagram {
  var value: Civicgrid_V1_Dispute
  /// Draws tasks, clocks and times as `case show` does.
  var tasks: CaseDiagram

  init(_ value: Civicgrid_V1_Dispute, calendar: Civicgrid_V1_WorkingCalendar?) {
    self.value = value
    self.tasks = CaseDiagram(Civicgrid_V1_Case(), plan: nil, calendar: calendar)
  }

  func render() -> String {
    let d = self.value
    var out = "Dispute \(d.id) · \(Self.kind(d)) · \(d.state) · rung \(d.ladderLevel): \(d.ladderRung)"
    if d.risk != .unspecified { out += " · risk \(d.risk.name)" }
    out += "\n"
    let parties = d.parties.map { party in
      [party.role.name, party.name, party.idNumber, party.phone].filter { !$0.isEmpty }.joined(separator: " ")
    }
    var facts: [(String, String)] = [
      ("Summary", d.summary),
      ("Parties", parties.joined(separator: "; ")),
      ("Intake", "\(d.channel.name) at \(d.unitCode), \(self.tasks.time(d.hasSubmittedAt ? d.submittedAt : nil))"),
    ]
    if !d.relatedCaseID.isEmpty { facts.append(("Related", d.relatedCaseID)) }
    if d.result != .unspecified {
      var closed = d.result.name + (d.resultNote.isEmpty ? "" : ": \(d.resultNote)")
      if d.returnVisited { closed += " · return visit: \(d.satisfied ? "satisfied" : "not satisfied"), rating \(d.rating)" }
      facts.append(("Closed", closed))
    }
    out += Table.keyValues(facts)
    let rounds = self.roundLines()
    if !rounds.isEmpty { out += "\n" + rounds.joined(separator: "\n") + "\n" }
    if !d.sessions.isEmpty {
      out += "\nSessions\n"
      for session in d.sessions {
        let when = self.tasks.time(session.hasScheduledAt ? session.scheduledAt : nil, minutes: true)
        var line = "  #\(session.number) task \(session.task) · \(when) · \(session.place) · "
        line += session.held ? "held with \(session.attendees.joined(separator: ", ")): \(session.notes)" : "scheduled"
        out += line + "\n"
      }
    }
    if !d.timeline.isEmpty {
      var timeline = Table([.init("SEQ", .right), .init("TIME"), .init("BY"), .init("TASK", .right), .init("EVENT"), .init("SUMMARY")])
      for entry in d.timeline {
        timeline.append([
          String(entry.sequence), self.tasks.time(entry.hasAt ? entry.at : nil), entry.by, entry.task == 0 ? "" : String(entry.task),
          entry.kind, entry.summary,
        ])
      }
      out += "\nTimeline\n" + timeline.render()
    }
    return out
  }

  /// `dispute (neighbourhood)`, `first letter`.
  static func kind(_ d: Civicgrid_V1_Dispute) -> String {
    d.type == .dispute && d.category != .unspecified ? "dispute (\(d.category.name))" : d.type.name
  }

  /// One line per round, the current one marked ▶, with the escalation between rounds.
  func roundLines() -> [String] {
    let d = self.value
    var lines: [String] = []
    for (index, review) in d.reviews.enumerated() {
      let current = d.state == "mediating" && index == d.reviews.count - 1
      var line = (current ? "▶ " : "  ") + "round \(review.round) · \(review.heldOn) · risk \(review.risk.name) · "
      line += "rung \(review.ladderLevel) · \(review.workingDays) wd "
      for route in d.routes where route.round == review.round {
        var box = "\(route.channel.name): " + self.tasks.box(route.task)
        if route.outcome != .unspecified { box += " → \(route.outcome.name)" }
        if route.fulfilmentChecked { box += route.fulfilled ? ", fulfilled" : ", not fulfilled" }
        line += " [\(box)]"
      }
      lines.append(line)
      let outcomes = d.routes.filter { $0.round == review.round }.map(\.outcome)
      let escalated = outcomes.contains(.failed) && !outcomes.contains(.agreement) && !outcomes.contains(.partial) && !outcomes.contains(.unspecified)
      if escalated {
        lines.append("        ↓ escalated" + (index == d.reviews.count - 1 ? " to \(d.ladderRung); a new review is due" : ""))
      } else if index < d.reviews.count - 1 {
        lines.append("        ↓")
      }
    }
    return lines
  }
}
