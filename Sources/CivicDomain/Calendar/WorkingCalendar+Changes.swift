/// One way in which two versions of a calendar differ, for the audit row of a calendar change.
public enum CalendarChange: Sendable, Hashable, CustomStringConvertible {
  /// A date became a working day or stopped being one.
  case workingDay(CivilDate, isWorkingDay: Bool)
  case weekendDays(from: Set<Int>, to: Set<Int>)
  case businessHours(from: BusinessHours, to: BusinessHours)
  case utcOffset(from: Int, to: Int)

  public var description: String {
    switch self {
    case .workingDay(let date, let working): return "\(date) is \(working ? "now a working day" : "no longer a working day")"
    case .weekendDays(let from, let to): return "weekend days changed from \(from.sorted()) to \(to.sorted())"
    case .businessHours: return "business hours changed"
    case .utcOffset(let from, let to): return "UTC offset changed from \(from) s to \(to) s"
    }
  }
}

extension WorkingCalendar {
  /// How `self` differs from `old`: listed dates whose working status changed, in date order,
  /// then weekend days, business hours and offset. Empty exactly when no deadline can move.
  ///
  /// Renaming a holiday is not a change: it moves no deadline.
  public func changes(from old: WorkingCalendar) -> [CalendarChange] {
    var result: [CalendarChange] = []
    let listed = Set(self.holidays.keys).union(self.swappedWorkingDays.keys).union(old.holidays.keys).union(old.swappedWorkingDays.keys)
    for date in listed.sorted() where self.isWorkingDay(date) != old.isWorkingDay(date) {
      result.append(.workingDay(date, isWorkingDay: self.isWorkingDay(date)))
    }
    if self.weekendDays != old.weekendDays { result.append(.weekendDays(from: old.weekendDays, to: self.weekendDays)) }
    if self.businessHours != old.businessHours { result.append(.businessHours(from: old.businessHours, to: self.businessHours)) }
    if self.utcOffsetSeconds != old.utcOffsetSeconds { result.append(.utcOffset(from: old.utcOffsetSeconds, to: self.utcOffsetSeconds)) }
    return result
  }
}
