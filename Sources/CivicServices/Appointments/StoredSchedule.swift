import CivicDomain
import CivicProtos
import Foundation
import GRPCCore
import SwiftProtobuf

/// A centre schedule as the `centre_schedules` row keeps it (two JSON columns) and as the
/// proto carries it, with the conversions between them and `CentreSchedule`.
struct StoredSchedule: Codable, Sendable {
  struct Period: Codable, Sendable {
    var open: String
    var close: String
  }

  struct Entry: Codable, Sendable {
    var kind: String
    var weekday: Int
    var date: String
    var open: String
    var close: String
    var capacity: Int
  }

  var regularHours: [Period]
  var roster: [Entry]

  init(regularHours: [Period], roster: [Entry]) {
    self.regularHours = regularHours
    self.roster = roster
  }

  init(regularHoursJSON: String, rosterJSON: String) throws {
    let decoder = JSONDecoder()
    self.regularHours = try decoder.decode([Period].self, from: Data(regularHoursJSON.utf8))
    self.roster = try decoder.decode([Entry].self, from: Data(rosterJSON.utf8))
  }

  var regularHoursJSON: String { String(decoding: try! JSONEncoder().encode(self.regularHours), as: UTF8.self) }
  var rosterJSON: String { String(decoding: try! JSONEncoder().encode(self.roster), as: UTF8.self) }

  /// Validates a proto schedule, naming the field of the first problem.
  init(proto: Civicgrid_V1_CentreSchedule) throws(DomainError) {
    self.regularHours = proto.regularHours.map { Period(open: $0.open, close: $0.close) }
    self.roster = try proto.roster.enumerated().map { (index, entry) throws(DomainError) in
      let kind: String
      switch entry.kind {
      case .extendedHours: kind = RosterEntry.Kind.extendedHours.rawValue
      case .weekendDuty: kind = RosterEntry.Kind.weekendDuty.rawValue
      default: throw Validation.invalid("schedule.roster[\(index)].kind", "must be EXTENDED_HOURS or WEEKEND_DUTY")
      }
      guard (entry.weekday == 0) != entry.date.isEmpty else {
        throw Validation.invalid("schedule.roster[\(index)]", "needs exactly one of weekday and date")
      }
      guard entry.capacity >= 0, entry.capacity <= 1000 else {
        throw Validation.invalid("schedule.roster[\(index)].capacity", "must be 0 (the offer's) to 1000")
      }
      return Entry(
        kind: kind,
        weekday: Int(entry.weekday),
        date: entry.date,
        open: entry.period.open,
        close: entry.period.close,
        capacity: Int(entry.capacity)
      )
    }
    _ = try self.schedule()
  }

  /// The domain value; throws naming the entry for any bad time, date or overlap.
  func schedule() throws(DomainError) -> CentreSchedule {
    var periods: [BusinessPeriod] = []
    for (index, period) in self.regularHours.enumerated() {
      periods.append(try Self.period(open: period.open, close: period.close, field: "schedule.regular_hours[\(index)]"))
    }
    var entries: [RosterEntry] = []
    for (index, entry) in self.roster.enumerated() {
      let field = "schedule.roster[\(index)]"
      guard let kind = RosterEntry.Kind(rawValue: entry.kind) else { throw .invalidField("\(field).kind", "unknown kind '\(entry.kind)'") }
      let recurrence: RosterEntry.Recurrence
      if entry.date.isEmpty {
        recurrence = .weekly(entry.weekday)
      } else {
        guard let date = CivilDate(entry.date) else { throw .invalidField("\(field).date", "must be YYYY-MM-DD, got '\(entry.date)'") }
        recurrence = .date(date)
      }
      let period = try Self.period(open: entry.open, close: entry.close, field: "\(field).period")
      entries.append(
        try RosterEntry(kind: kind, recurrence: recurrence, period: period, capacity: entry.capacity == 0 ? nil : entry.capacity)
      )
    }
    let hours = periods.isEmpty ? BusinessHours.standard : try BusinessHours(periods)
    return try CentreSchedule(regularHours: hours, roster: entries)
  }

  private static func period(open: String, close: String, field: String) throws(DomainError) -> BusinessPeriod {
    guard let from = TimeOfDay(open) else { throw .invalidField("\(field).open", "must be HH:MM, got '\(open)'") }
    guard let to = TimeOfDay(close) else { throw .invalidField("\(field).close", "must be HH:MM, got '\(close)'") }
    guard from < to else { throw .invalidField(field, "opens at \(open) but closes at \(close)") }
    return BusinessPeriod(open: from, close: to)
  }

  func proto(centreCode: String, version: Int64) -> Civicgrid_V1_CentreSchedule {
    Civicgrid_V1_CentreSchedule.with {
      $0.centreCode = centreCode
      $0.version = version
      $0.regularHours = self.regularHours.map { period in
        Civicgrid_V1_OpeningPeriod.with {
          $0.open = period.open; $0.close = period.close
        }
      }
      $0.roster = self.roster.map { entry in
        Civicgrid_V1_RosterEntry.with {
          $0.kind = entry.kind == RosterEntry.Kind.extendedHours.rawValue ? .extendedHours : .weekendDuty
          $0.weekday = Int32(entry.weekday)
          $0.date = entry.date
          $0.period = Civicgrid_V1_OpeningPeriod.with {
            $0.open = entry.open; $0.close = entry.close
          }
          $0.capacity = Int32(entry.capacity)
        }
      }
    }
  }
}
