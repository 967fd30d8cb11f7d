/// The working-day calendar of one jurisdiction: which local dates are working days, the
/// business hours of a working day, and the fixed offset of local time from UTC.
///
/// A date is a working day when it is a swapped working day (调休上班), or when it is neither a
/// public holiday nor a weekend day. A date cannot be both a holiday and a swapped working day.
/// Local time has a fixed offset (China: +08:00, no daylight saving), so converting between
/// instants and local dates is integer arithmetic.
///
/// A calendar is a plain value: deadlines are functions of (calendar, clock inputs), so when a
/// calendar changes, recomputing an open deadline is calling the same function with the new value.
public struct WorkingCalendar: Sendable, Hashable, Codable {
  /// Who this calendar belongs to, for example "CN" or a district code.
  public let jurisdiction: String
  /// ISO weekdays (1 Monday … 7 Sunday) that are rest days unless swapped.
  public let weekendDays: Set<Int>
  /// Public holidays by date, with their names.
  public let holidays: [CivilDate: String]
  /// Weekend days declared working days (调休上班), with the holiday they make up for.
  public let swappedWorkingDays: [CivilDate: String]
  public let businessHours: BusinessHours
  /// Local time minus UTC, in seconds (+08:00 is 28 800).
  public let utcOffsetSeconds: Int

  public init(
    jurisdiction: String,
    weekendDays: Set<Int> = [6, 7],
    holidays: [CivilDate: String] = [:],
    swappedWorkingDays: [CivilDate: String] = [:],
    businessHours: BusinessHours = .standard,
    utcOffsetSeconds: Int = 8 * 3600
  ) throws(DomainError) {
    guard !jurisdiction.isEmpty else { throw .invalidField("jurisdiction", "must not be empty") }
    guard weekendDays.allSatisfy({ (1...7).contains($0) }) else {
      throw .invalidField("weekendDays", "must be ISO weekdays 1...7, got \(weekendDays.sorted())")
    }
    guard weekendDays.count < 7 else { throw .invalidField("weekendDays", "cannot be every day of the week") }
    if let both = holidays.keys.filter({ swappedWorkingDays[$0] != nil }).min() {
      throw .invalidField("swappedWorkingDays", "\(both) is also a holiday")
    }
    guard (-14 * 3600...14 * 3600).contains(utcOffsetSeconds) else {
      throw .invalidField("utcOffsetSeconds", "must be within ±14:00, got \(utcOffsetSeconds)")
    }
    self.jurisdiction = jurisdiction
    self.weekendDays = weekendDays
    self.holidays = holidays
    self.swappedWorkingDays = swappedWorkingDays
    self.businessHours = businessHours
    self.utcOffsetSeconds = utcOffsetSeconds
  }

  public func isWorkingDay(_ date: CivilDate) -> Bool {
    if self.swappedWorkingDays[date] != nil { return true }
    if self.holidays[date] != nil { return false }
    return !self.weekendDays.contains(date.isoWeekday)
  }

  /// The local date on which `instant` falls.
  public func localDate(of instant: Instant) -> CivilDate {
    let local = instant.secondsSinceEpoch + self.utcOffsetSeconds
    return CivilDate(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
  }

  /// The instant of a local wall-clock time (`secondsAfterMidnight` may be 86 400: the next midnight).
  public func instant(_ date: CivilDate, secondsAfterMidnight: Int) -> Instant {
    Instant(secondsSinceEpoch: date.daysSinceEpoch * 86_400 + secondsAfterMidnight - self.utcOffsetSeconds)
  }

  public func instant(_ date: CivilDate, _ time: TimeOfDay) -> Instant {
    self.instant(date, secondsAfterMidnight: time.secondsAfterMidnight)
  }

  /// Local midnight at the start of `date`.
  public func startOfDay(_ date: CivilDate) -> Instant {
    self.instant(date, secondsAfterMidnight: 0)
  }

  /// Close of business on `date` (whether or not it is a working day).
  public func closeOfBusiness(_ date: CivilDate) -> Instant {
    self.instant(date, self.businessHours.close)
  }

  /// The business periods of `date` as instants; empty on a rest day.
  public func workingPeriods(on date: CivilDate) -> [Range<Instant>] {
    guard self.isWorkingDay(date) else { return [] }
    return self.businessHours.periods.map { self.instant(date, $0.open)..<self.instant(date, $0.close) }
  }

  /// The `count`-th working day after `date` (count ≥ 1); `date` itself is never counted.
  public func workingDay(_ count: Int, after date: CivilDate) throws(DomainError) -> CivilDate {
    var day = date
    var found = 0
    for _ in 0..<Self.searchHorizonDays {
      day = day.adding(days: 1)
      if self.isWorkingDay(day) {
        found += 1
        if found == count { return day }
      }
    }
    throw .noWorkingTime(jurisdiction: self.jurisdiction)
  }

  /// How far ahead the arithmetic looks before deciding there is no working time: ten years.
  static let searchHorizonDays = 3_660
}
