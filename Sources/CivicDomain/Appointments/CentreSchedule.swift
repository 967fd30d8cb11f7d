/// When a service centre takes appointments: its opening hours on working days, plus the
/// rosters that open it at other times — extended hours on working days (延时服务) and weekend
/// duty on rest days (双休日值班).
///
/// Regular hours follow the jurisdiction's `WorkingCalendar`: open on every working day
/// (swapped working days included), closed on weekends and public holidays. A roster entry
/// either repeats weekly or names one date. Weekly extended hours apply on working days
/// only; weekly weekend duty applies on weekend days that are not public holidays or
/// swapped working days; a dated entry applies on its date whatever the calendar says,
/// so a duty roster for a holiday is written date by date.
public struct CentreSchedule: Sendable, Hashable, Codable {
  /// Opening periods of every working day (default: the calendar's business hours).
  public let regularHours: BusinessHours
  public let roster: [RosterEntry]

  /// Throws when two entries that can fall on the same day overlap each other or the
  /// regular hours, since a slot must belong to exactly one period.
  public init(regularHours: BusinessHours, roster: [RosterEntry] = []) throws(DomainError) {
    for (index, entry) in roster.enumerated() {
      guard entry.period.open < entry.period.close else {
        throw .invalidField("roster[\(index)]", "opens at \(entry.period.open) but closes at \(entry.period.close)")
      }
      if let capacity = entry.capacity, capacity < 1 {
        throw .invalidField("roster[\(index)].capacity", "must be at least 1, got \(capacity)")
      }
      if entry.kind == .extendedHours, entry.recurrence.isWeekly {
        for (regularIndex, period) in regularHours.periods.enumerated() where period.overlaps(entry.period) {
          throw .invalidField(
            "roster[\(index)]",
            "extended hours \(entry.period) overlap regular hours[\(regularIndex)] \(period)"
          )
        }
      }
      for (otherIndex, other) in roster.enumerated().prefix(index)
      where other.recurrence.mayCoincide(with: entry.recurrence) && other.period.overlaps(entry.period) {
        throw .invalidField("roster[\(index)]", "\(entry.period) overlaps roster[\(otherIndex)] \(other.period)")
      }
    }
    self.regularHours = regularHours
    self.roster = roster
  }

  /// The periods the centre is open on `date`, in order, each with where it comes from and
  /// the capacity override of its roster entry. Dated entries that overlap a regular or
  /// weekly period replace the overlapped part's period (the roster is the later decision).
  public func openPeriods(on date: CivilDate, calendar: WorkingCalendar) -> [OpenPeriod] {
    let working = calendar.isWorkingDay(date)
    var periods: [OpenPeriod] = []
    if working {
      periods += self.regularHours.periods.map { OpenPeriod(period: $0, source: .regular, capacity: nil) }
    }
    let restWeekend = !working && calendar.weekendDays.contains(date.isoWeekday) && calendar.holidays[date] == nil
    for entry in self.roster {
      switch entry.recurrence {
      case .weekly(let weekday):
        guard weekday == date.isoWeekday else { continue }
        switch entry.kind {
        case .extendedHours where working, .weekendDuty where restWeekend:
          periods.append(OpenPeriod(period: entry.period, source: entry.kind.source, capacity: entry.capacity))
        default:
          continue
        }
      case .date:
        continue
      }
    }
    for entry in self.roster {
      guard case .date(let day) = entry.recurrence, day == date else { continue }
      periods.removeAll { $0.period.overlaps(entry.period) }
      periods.append(OpenPeriod(period: entry.period, source: entry.kind.source, capacity: entry.capacity))
    }
    return periods.sorted { $0.period.open < $1.period.open }
  }
}

/// One line of a centre's roster.
public struct RosterEntry: Sendable, Hashable, Codable {
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    /// 延时服务: open beyond regular hours on a working day.
    case extendedHours = "extended_hours"
    /// 双休日值班: open on a rest day.
    case weekendDuty = "weekend_duty"

    var source: OpenPeriod.Source {
      switch self {
      case .extendedHours: .extendedHours
      case .weekendDuty: .weekendDuty
      }
    }
  }

  public enum Recurrence: Sendable, Hashable, Codable {
    /// Every week on this ISO weekday (1 Monday … 7 Sunday).
    case weekly(Int)
    /// Once, on this date.
    case date(CivilDate)

    var isWeekly: Bool {
      if case .weekly = self { return true }
      return false
    }

    /// Whether two recurrences can name the same day (dated entries are checked against
    /// each other; a dated entry deliberately overrides weekly ones).
    func mayCoincide(with other: Recurrence) -> Bool {
      switch (self, other) {
      case (.weekly(let a), .weekly(let b)): a == b
      case (.date(let a), .date(let b)): a == b
      default: false
      }
    }
  }

  public let kind: Kind
  public let recurrence: Recurrence
  public let period: BusinessPeriod
  /// People served per slot in this period; nil uses the offer's capacity.
  public let capacity: Int?

  public init(kind: Kind, recurrence: Recurrence, period: BusinessPeriod, capacity: Int? = nil) throws(DomainError) {
    if case .weekly(let weekday) = recurrence, !(1...7).contains(weekday) {
      throw .invalidField("weekday", "must be an ISO weekday 1...7, got \(weekday)")
    }
    self.kind = kind
    self.recurrence = recurrence
    self.period = period
    self.capacity = capacity
  }
}

/// A period a centre is open on one date.
public struct OpenPeriod: Sendable, Hashable {
  public enum Source: String, Sendable, Hashable, Codable {
    case regular
    case extendedHours = "extended_hours"
    case weekendDuty = "weekend_duty"
  }

  public let period: BusinessPeriod
  public let source: Source
  public let capacity: Int?
}

extension BusinessPeriod: CustomStringConvertible {
  public var description: String { "\(self.open)–\(self.close)" }

  func overlaps(_ other: BusinessPeriod) -> Bool {
    self.open < other.close && other.open < self.close
  }
}
