/// A time limit counted in working time.
///
/// The two units count from different points (see `WorkingCalendar.deadline`):
/// - `workingDays(n)`: the day the clock starts is not counted; the limit ends at the close of
///   business of the n-th working day after it (期限开始之日不计算在内).
/// - `workingHours(n)`: counted from the start instant itself, for short limits.
public enum WorkingLimit: Sendable, Hashable, Codable, CustomStringConvertible {
  case workingDays(Int)
  case workingHours(Int)

  /// The limit as working seconds in `hours` (a working day is one full day of business hours).
  public func seconds(in hours: BusinessHours) -> Int {
    switch self {
    case .workingDays(let days): return days * hours.secondsPerDay
    case .workingHours(let count): return count * 3_600
    }
  }

  public var amount: Int {
    switch self {
    case .workingDays(let days): return days
    case .workingHours(let count): return count
    }
  }

  public var description: String {
    switch self {
    case .workingDays(let days): return "\(days) working days"
    case .workingHours(let count): return "\(count) working hours"
    }
  }
}
