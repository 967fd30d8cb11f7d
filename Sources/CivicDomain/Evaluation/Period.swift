/// A reporting period (周、月、季、年): a range of local calendar days, written `2026-W48`,
/// `2026-11`, `2026-Q4` or `2026` (docs/METRICS.md).
public struct Period: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
  public enum Cadence: String, Sendable, Hashable, Codable, CaseIterable {
    /// ISO-8601 week, Monday to Sunday (周例会).
    case week
    /// Calendar month (月研判).
    case month
    /// Three calendar months (季总结).
    case quarter
    /// Calendar year (年考核).
    case year
  }

  public let cadence: Cadence
  /// First local day of the period.
  public let first: CivilDate
  /// Last local day of the period (inclusive).
  public let last: CivilDate

  /// Parses the period's text; throws `invalidField(field, …)` naming what is wrong.
  public init(_ text: String, field: String = "period") throws(DomainError) {
    let usage = "must be YYYY, YYYY-MM, YYYY-Qn or YYYY-Wnn, got \"\(text)\""
    let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    guard let yearText = parts.first, yearText.count == 4, let year = Int(yearText), year >= 1970, year <= 9999 else {
      throw .invalidField(field, usage)
    }
    switch parts.count {
    case 1:
      self.cadence = .year
      self.first = CivilDate(year: year, month: 1, day: 1)!
      self.last = CivilDate(year: year, month: 12, day: 31)!
    case 2 where parts[1].hasPrefix("Q"):
      guard parts[1].count == 2, let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) else { throw .invalidField(field, usage) }
      self.cadence = .quarter
      self.first = CivilDate(year: year, month: quarter * 3 - 2, day: 1)!
      self.last = Self.lastDay(year: year, month: quarter * 3)
    case 2 where parts[1].hasPrefix("W"):
      guard parts[1].count == 3, let week = Int(parts[1].dropFirst()), week >= 1, week <= Self.isoWeeks(in: year) else {
        throw .invalidField(field, usage)
      }
      self.cadence = .week
      self.first = Self.isoWeekOneMonday(year).adding(days: (week - 1) * 7)
      self.last = self.first.adding(days: 6)
    case 2:
      guard parts[1].count == 2, let month = Int(parts[1]), (1...12).contains(month) else { throw .invalidField(field, usage) }
      self.cadence = .month
      self.first = CivilDate(year: year, month: month, day: 1)!
      self.last = Self.lastDay(year: year, month: month)
    default:
      throw .invalidField(field, usage)
    }
  }

  /// The period of `cadence` that contains `date`.
  public init(_ cadence: Cadence, containing date: CivilDate) {
    self.cadence = cadence
    switch cadence {
    case .year:
      self.first = CivilDate(year: date.year, month: 1, day: 1)!
      self.last = CivilDate(year: date.year, month: 12, day: 31)!
    case .quarter:
      let firstMonth = (date.month - 1) / 3 * 3 + 1
      self.first = CivilDate(year: date.year, month: firstMonth, day: 1)!
      self.last = Self.lastDay(year: date.year, month: firstMonth + 2)
    case .month:
      self.first = CivilDate(year: date.year, month: date.month, day: 1)!
      self.last = Self.lastDay(year: date.year, month: date.month)
    case .week:
      self.first = date.adding(days: 1 - date.isoWeekday)
      self.last = self.first.adding(days: 6)
    }
  }

  /// The period of the same cadence just before this one.
  public var previous: Period { Period(self.cadence, containing: self.first.adding(days: -1)) }

  /// The `count` periods ending with this one, oldest first.
  public func trailing(_ count: Int) -> [Period] {
    var periods = [self]
    while periods.count < count { periods.insert(periods[0].previous, at: 0) }
    return periods
  }

  /// Whether `other` lies inside this period (a month inside its quarter, …).
  public func contains(_ other: Period) -> Bool { self.first <= other.first && other.last <= self.last }

  /// 00:00 local of the first day.
  public func start(in calendar: WorkingCalendar) -> Instant { calendar.startOfDay(self.first) }
  /// 00:00 local of the day after the last day (exclusive).
  public func end(in calendar: WorkingCalendar) -> Instant { calendar.startOfDay(self.last.adding(days: 1)) }

  public var description: String {
    func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    switch self.cadence {
    case .year: return "\(self.first.year)"
    case .quarter: return "\(self.first.year)-Q\((self.first.month - 1) / 3 + 1)"
    case .month: return "\(self.first.year)-\(pad(self.first.month))"
    case .week:
      // The ISO year is the year of the week's Thursday.
      let thursday = self.first.adding(days: 3)
      let week = (thursday.daysSinceEpoch - Self.isoWeekOneMonday(thursday.year).daysSinceEpoch) / 7 + 1
      return "\(thursday.year)-W\(pad(week))"
    }
  }

  public static func < (lhs: Period, rhs: Period) -> Bool { (lhs.first, lhs.last) < (rhs.first, rhs.last) }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    try self.init(text)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(self.description)
  }

  static func lastDay(year: Int, month: Int) -> CivilDate {
    let next = month == 12 ? CivilDate(year: year + 1, month: 1, day: 1)! : CivilDate(year: year, month: month + 1, day: 1)!
    return next.adding(days: -1)
  }

  /// The Monday of ISO week 1 (the week with the year's first Thursday).
  static func isoWeekOneMonday(_ year: Int) -> CivilDate {
    let january4 = CivilDate(year: year, month: 1, day: 4)!
    return january4.adding(days: 1 - january4.isoWeekday)
  }

  static func isoWeeks(in year: Int) -> Int {
    (isoWeekOneMonday(year + 1).daysSinceEpoch - isoWeekOneMonday(year).daysSinceEpoch) / 7
  }
}
