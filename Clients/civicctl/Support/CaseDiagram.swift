import CivicProtos
import Foundation
import SwiftProtobuf

/// `civicctl case show` for people: the case's stages as a diagram, one line per stage with
/// a box per unit's task, then the case clock and the timeline, so that where a case stands
/// shows at a glance:
///
///     ▶ stage 1 · 5 wd  [QH-CA ✔ approved by handler-ca] [QH-HRSS … claimed by handler-hrss, 1.5 wd left]
///           ↓
///       stage 2 · 3 wd  [QH-HUD · not started]
///
/// Clocks are counted in working days (wd) of the calendar's business hours; times are shown
/// in the calendar's UTC offset.
struct CaseDiagram {
  var value: Civicgrid_V1_Case
  /// The stages of the item version the case was taken in with; nil when it could not be read
  /// (only the stages that have tasks are drawn then).
  var plan: [Civicgrid_V1_ItemStage]?
  /// Working seconds in one working day (7 hours for 09:00–12:00 and 13:30–17:30).
  var workingDaySeconds: Int64 = 7 * 3600
  var timeZone = TimeZone(secondsFromGMT: 8 * 3600)!

  init(_ value: Civicgrid_V1_Case, plan: [Civicgrid_V1_ItemStage]?, calendar: Civicgrid_V1_WorkingCalendar?) {
    self.value = value
    self.plan = plan
    if let calendar {
      let seconds = calendar.businessHours.reduce(Int64(0)) { sum, period in
        sum + Int64(Self.minutes(period.close) - Self.minutes(period.open)) * 60
      }
      if seconds > 0 { self.workingDaySeconds = seconds }
      self.timeZone = TimeZone(secondsFromGMT: Int(calendar.utcOffsetSeconds)) ?? self.timeZone
    }
  }

  func render() -> String {
    let c = self.value
    var out = "Case \(c.id) · \(c.itemName) (\(c.itemCode) v\(c.itemVersion)) · \(Self.stateText(c))\n"
    var applicant = [c.applicant.name, c.applicant.idNumber, c.applicant.phone].filter { !$0.isEmpty }.joined(separator: "  ")
    if applicant.isEmpty { applicant = "-" }
    var facts: [(String, String)] = [
      ("Applicant", applicant),
      ("Intake", "\(c.channel.name) at \(c.unitCode), \(self.time(c.hasSubmittedAt ? c.submittedAt : nil))"),
      ("Materials", self.materials()),
    ]
    if !c.refusalReason.isEmpty { facts.append(("Refused", c.refusalReason)) }
    if c.delivery != .unspecified { facts.append(("Delivered", c.delivery.name)) }
    out += Table.keyValues(facts)
    let stages = self.stageLines()
    if !stages.isEmpty {
      out += "\n" + stages.joined(separator: "\n        ↓\n") + "\n"
    }
    if c.hasClock {
      out += "\n" + self.clockLines("Case clock", c.clock).joined(separator: "\n") + "\n"
    }
    if !c.opinions.isEmpty {
      out += "\nOpinions\n"
      for opinion in c.opinions {
        out += "  \(opinion.unitCode) \(opinion.approved ? "✔" : "✘") \(opinion.opinion)\n"
      }
    }
    if !c.timeline.isEmpty {
      var timeline = Table([.init("SEQ", .right), .init("TIME"), .init("BY"), .init("TASK", .right), .init("EVENT"), .init("SUMMARY")])
      for entry in c.timeline {
        timeline.append([
          String(entry.sequence), self.time(entry.hasAt ? entry.at : nil), entry.by, entry.task == 0 ? "" : String(entry.task),
          entry.kind, entry.summary,
        ])
      }
      out += "\nTimeline\n" + timeline.render()
    }
    return out
  }

  /// `inProcessing, stage 2 of 3`, `completed (approved)`.
  static func stateText(_ c: Civicgrid_V1_Case) -> String {
    switch c.state {
    case "inProcessing": return "inProcessing, stage \(c.currentStage + 1)"
    case "completed", "delivered": return "\(c.state) (\(c.approved ? "approved" : "denied"))"
    default: return c.state
    }
  }

  func materials() -> String {
    let c = self.value
    var parts: [String] = []
    if !c.providedMaterials.isEmpty { parts.append("provided " + c.providedMaterials.joined(separator: ", ")) }
    if !c.missingMaterials.isEmpty {
      let due = c.missingMaterialsDueBy.isEmpty ? "" : " (due \(c.missingMaterialsDueBy))"
      parts.append("missing " + c.missingMaterials.joined(separator: ", ") + due)
    }
    return parts.isEmpty ? "-" : parts.joined(separator: "; ")
  }

  /// One line per stage: the stage's share and a box per task, the current stage marked ▶.
  func stageLines() -> [String] {
    let c = self.value
    let opened = (c.tasks.map { Int($0.stage) }.max() ?? -1) + 1
    let count = max(self.plan?.count ?? 0, opened)
    return (0..<count).map { index in
      let current = c.state == "inProcessing" && index == Int(c.currentStage)
      let share = self.plan.flatMap { index < $0.count ? " · \($0[index].workingDays) wd" : nil } ?? ""
      var line = (current ? "▶ " : "  ") + "stage \(index + 1)\(share) "
      let tasks = c.tasks.filter { Int($0.stage) == index }
      if tasks.isEmpty {
        let units = self.plan.map { index < $0.count ? $0[index].unitCodes : [] } ?? []
        line += units.map { " [\($0) · not started]" }.joined()
      } else {
        line += tasks.map { " [" + self.box($0) + "]" }.joined()
      }
      return line
    }
  }

  /// `QH-HRSS … claimed by handler-hrss, 1.5 wd left`.
  func box(_ task: Civicgrid_V1_Task) -> String {
    let mark =
      switch task.state {
      case "approved": "✔"
      case "denied": "✘"
      case "claimed": "…"
      case "pending": "○"
      case "returned": "↩"
      case "withdrawn": "–"
      default: "?"
      }
    var text = "#\(task.number) \(task.unitCode) \(mark) \(task.state)"
    if !task.claimedBy.isEmpty { text += " by \(task.claimedBy)" }
    switch task.state {
    case "pending", "claimed":
      let clock = task.clock
      text += clock.state == "paused" ? ", paused" : ", \(self.days(clock.remainingWorkingSeconds)) left"
      if clock.warning == .yellow || clock.warning == .red || clock.warning == .overdue { text += " (\(clock.warning.name))" }
      if task.hasPendingExtension { text += ", +\(task.pendingExtension.workingDays) wd asked" }
    default:
      if task.clock.state == "stopped", task.state == "approved" || task.state == "denied" {
        text += task.clock.finishedOnTime ? ", on time" : ", late"
      }
    }
    return text
  }

  /// The clock as a few lines: state, used/limit, left, level, deadline; then pauses and extensions.
  func clockLines(_ title: String, _ clock: Civicgrid_V1_Clock) -> [String] {
    let extra = clock.extensions.reduce(Int64(0)) { $0 + Int64($1.workingDays) }
    let limitSeconds =
      clock.limitWorkingDays > 0 ? (Int64(clock.limitWorkingDays) + extra) * self.workingDaySeconds : Int64(clock.limitWorkingHours) * 3600
    let limit = clock.limitWorkingDays > 0 ? "\(Int64(clock.limitWorkingDays) + extra) wd" : "\(clock.limitWorkingHours) working hours"
    var parts = [
      clock.state,
      "\(self.days(limitSeconds - clock.remainingWorkingSeconds, unit: false)) of \(limit) used",
    ]
    if clock.state != "stopped" {
      parts.append("\(self.days(clock.remainingWorkingSeconds)) left")
      if clock.warning != .unspecified { parts.append(clock.warning.name) }
    } else {
      parts.append(clock.finishedOnTime ? "finished on time" : "finished late")
    }
    parts.append(clock.hasDeadline ? "deadline \(self.time(clock.deadline, minutes: true))" : "deadline open while paused")
    var lines = ["\(title): " + parts.joined(separator: " · ")]
    for pause in clock.pauses {
      let end = pause.hasEnd ? self.time(pause.end, minutes: true) : "now"
      lines.append("  paused   \(self.time(pause.start, minutes: true)) → \(end)  \(pause.reason), by \(pause.causedBy)")
    }
    for granted in clock.extensions {
      lines.append(
        "  extended +\(granted.workingDays) wd  \(granted.reason); asked by \(granted.requestedBy), approved by \(granted.approvedBy)"
      )
    }
    return lines
  }

  /// `1.5 wd`, `-0.5 wd` (overdue), `7 wd`; tenths of a working day.
  func days(_ seconds: Int64, unit: Bool = true) -> String {
    let tenths = (Double(seconds) / Double(self.workingDaySeconds) * 10).rounded()
    let value = tenths / 10
    return (value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)) + (unit ? " wd" : "")
  }

  func time(_ timestamp: Google_Protobuf_Timestamp?, minutes: Bool = false) -> String {
    let text = Output.time(timestamp, timeZone: self.timeZone)
    return minutes && text.count > 16 ? String(text.prefix(16)) : text
  }

  /// `+08:00`.
  static func offsetText(_ seconds: Int) -> String {
    let sign = seconds < 0 ? "-" : "+"
    let minutes = abs(seconds) / 60
    return sign + String(format: "%02d:%02d", minutes / 60, minutes % 60)
  }

  /// `Thu` for `2026-10-01`; empty when the text is not a date.
  static func weekday(_ date: String) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(secondsFromGMT: 0)
    formatter.dateFormat = "yyyy-MM-dd"
    guard let day = formatter.date(from: date) else { return "" }
    formatter.dateFormat = "EEE"
    return formatter.string(from: day)
  }

  /// Minutes after midnight of `HH:MM`; 0 when malformed.
  static func minutes(_ text: String) -> Int {
    let parts = text.split(separator: ":").compactMap { Int($0) }
    return parts.count == 2 ? parts[0] * 60 + parts[1] : 0
  }
}
