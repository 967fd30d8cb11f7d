import CivicProtos
import Foundation

/// `civicctl request show` for people: the request's tiers drawn like `case show` draws stages,
/// lowest first, a box per task the tier held (a reopened tier has two), `▶` at the tier
/// holding it, tiers not reached marked so; then the reply, the visit and the timeline.
///
///     ✘ grid · G01 · 2 wd        [#1 G01 ✘ denied, on time] escalated: needs the committee
///             ↓
///     ▶ community · C01 · 3 wd   [#2 C01 ○ pending, 3 wd left]
struct RequestDiagram {
  var request: Civicgrid_V1_CitizenRequest
  var caseDiagram: CaseDiagram

  init(_ request: Civicgrid_V1_CitizenRequest) {
    self.request = request
    self.caseDiagram = CaseDiagram(request.case, plan: nil, calendar: nil)
  }

  static let open: Set<String> = ["atTier", "replied"]

  func render() -> String {
    let r = self.request
    let c = r.case
    let position = Self.open.contains(c.state) ? ", tier \(r.currentTier + 1) of \(r.tiers.count)" : ""
    var out = "Request \(r.id) · \(r.type.name) · \(r.category) (\(r.categoryName)) · \(c.state)\(position)\n"
    let citizen = [r.citizen.name, r.citizen.idNumber, r.citizen.phone].filter { !$0.isEmpty }.joined(separator: "  ")
    out += Table.keyValues([
      ("Citizen", citizen.isEmpty ? "-" : citizen),
      (
        "Intake",
        "\(r.channel.name) at \(c.unitCode) by \(r.receivedBy) (首接负责), \(self.caseDiagram.time(c.hasSubmittedAt ? c.submittedAt : nil))"
      ),
      ("Asks", r.description_p),
      ("Routing", "version \(r.routingVersion)"),
    ])
    out += "\n" + self.tierLines().joined(separator: "\n        ↓\n") + "\n"
    if !r.reply.isEmpty { out += "\nReply: \(r.reply)\n" }
    if r.visited {
      out += "Visit: \(r.visitSatisfied ? "satisfied" : "not satisfied")\(r.visitNote.isEmpty ? "" : " · \(r.visitNote)")\n"
    }
    if !c.timeline.isEmpty {
      var timeline = Table([.init("SEQ", .right), .init("TIME"), .init("BY"), .init("TASK", .right), .init("EVENT"), .init("SUMMARY")])
      for entry in c.timeline {
        timeline.append([
          String(entry.sequence), self.caseDiagram.time(entry.hasAt ? entry.at : nil), entry.by, entry.task == 0 ? "" : String(entry.task),
          entry.kind, entry.summary,
        ])
      }
      out += "\nTimeline\n" + timeline.render()
    }
    return out
  }

  /// One line per tier: `▶` where it is now, `✘` a tier it left by escalation, the tier's tasks
  /// as boxes with an escalation's reason after them.
  func tierLines() -> [String] {
    let r = self.request
    let c = r.case
    let label = r.tiers.map { "\($0.tier.name) · \($0.unitCode) · \($0.workingDays) wd" }
    let width = label.map(Table.displayWidth).max() ?? 0
    return r.tiers.indices.map { index in
      let tasks = c.tasks.filter { Int($0.stage) == index }
      let current = Self.open.contains(c.state) && index == Int(r.currentTier)
      let left = !current && tasks.contains { $0.state == "denied" }
      let mark = current ? "▶ " : left ? "✘ " : "  "
      let pad = String(repeating: " ", count: max(0, width - Table.displayWidth(label[index])))
      var line = mark + label[index] + pad + " "
      if tasks.isEmpty {
        line += " [\(r.tiers[index].unitCode) · not reached]"
      } else {
        line += tasks.map { " [" + self.caseDiagram.box($0) + "]" }.joined()
        if let reason = tasks.last(where: { $0.state == "denied" })?.opinion, !reason.isEmpty { line += " " + reason }
      }
      return line
    }
  }
}
