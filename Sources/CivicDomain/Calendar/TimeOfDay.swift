/// A wall-clock time within a local day, in minutes after midnight (0 ... 1440).
public struct TimeOfDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public let minutes: Int

  /// Nil outside 00:00 ... 24:00.
  public init?(hour: Int, minute: Int) {
    guard (0...24).contains(hour), (0...59).contains(minute), hour * 60 + minute <= 1440 else { return nil }
    self.minutes = hour * 60 + minute
  }

  /// Parses "HH:MM".
  public init?(_ text: String) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]) else {
      return nil
    }
    self.init(hour: hour, minute: minute)
  }

  public var secondsAfterMidnight: Int { self.minutes * 60 }

  public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }

  public var description: String {
    let hour = self.minutes / 60
    let minute = self.minutes % 60
    return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
  }
}

/// One opening period of a working day, `open` inclusive to `close` exclusive.
public struct BusinessPeriod: Sendable, Hashable, Codable {
  public let open: TimeOfDay
  public let close: TimeOfDay

  public init(open: TimeOfDay, close: TimeOfDay) {
    self.open = open
    self.close = close
  }

  public var seconds: Int { self.close.secondsAfterMidnight - self.open.secondsAfterMidnight }
}

/// The opening periods of every working day, in order and not overlapping.
public struct BusinessHours: Sendable, Hashable, Codable {
  public let periods: [BusinessPeriod]

  /// Throws when there is no period, a period is empty, or periods overlap or are out of order.
  public init(_ periods: [BusinessPeriod]) throws(DomainError) {
    guard !periods.isEmpty else { throw .invalidField("businessHours", "needs at least one period") }
    var previousClose: TimeOfDay?
    for (index, period) in periods.enumerated() {
      guard period.open < period.close else {
        throw .invalidField("businessHours[\(index)]", "opens at \(period.open) but closes at \(period.close)")
      }
      if let previousClose, period.open < previousClose {
        throw .invalidField("businessHours[\(index)]", "opens at \(period.open), before the previous period closes at \(previousClose)")
      }
      previousClose = period.close
    }
    self.periods = periods
  }

  /// 09:00–12:00 and 13:30–17:30: seven hours, the usual hours of a Chinese service centre.
  public static var standard: BusinessHours {
    try! BusinessHours([
      BusinessPeriod(open: TimeOfDay(hour: 9, minute: 0)!, close: TimeOfDay(hour: 12, minute: 0)!),
      BusinessPeriod(open: TimeOfDay(hour: 13, minute: 30)!, close: TimeOfDay(hour: 17, minute: 30)!),
    ])
  }

  /// Working seconds in one full working day: the length of one working day of a limit.
  public var secondsPerDay: Int { self.periods.reduce(0) { $0 + $1.seconds } }

  /// When business closes on a working day.
  public var close: TimeOfDay { self.periods[self.periods.count - 1].close }
}
