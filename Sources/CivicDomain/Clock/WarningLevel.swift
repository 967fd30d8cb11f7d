/// How close a clock is to its deadline, in increasing urgency.
public enum WarningLevel: Int, Sendable, Hashable, Codable, Comparable, CaseIterable, CustomStringConvertible {
  case green
  case yellow
  /// Due today: the local date is the deadline's date and the deadline has not passed.
  case red
  case overdue

  public static func < (lhs: WarningLevel, rhs: WarningLevel) -> Bool { lhs.rawValue < rhs.rawValue }

  public var description: String {
    switch self {
    case .green: return "green"
    case .yellow: return "yellow"
    case .red: return "red"
    case .overdue: return "overdue"
    }
  }
}

/// When a clock turns yellow: when at most `remainingWorkingDays` or at most
/// `remainingPercent` % of its total limit (extensions included) remains, whichever comes first.
public struct WarningPolicy: Sendable, Hashable, Codable {
  public var remainingWorkingDays: Int
  public var remainingPercent: Int

  public init(remainingWorkingDays: Int, remainingPercent: Int) throws(DomainError) {
    guard remainingWorkingDays >= 0 else { throw .invalidField("remainingWorkingDays", "must not be negative") }
    guard (0...100).contains(remainingPercent) else { throw .invalidField("remainingPercent", "must be 0...100") }
    self.remainingWorkingDays = remainingWorkingDays
    self.remainingPercent = remainingPercent
  }

  /// Yellow at ≤ 1 working day or ≤ 20 % of the limit remaining.
  public static var defaults: WarningPolicy { try! WarningPolicy(remainingWorkingDays: 1, remainingPercent: 20) }

  /// Remaining working seconds at or below which a clock of `totalSeconds` is yellow.
  func yellowThreshold(totalSeconds: Int, hours: BusinessHours) -> Int {
    max(self.remainingWorkingDays * hours.secondsPerDay, totalSeconds * self.remainingPercent / 100)
  }
}

/// A clock's warning level at an instant and the instant at which it will next change.
public struct WarningStatus: Sendable, Hashable {
  public let level: WarningLevel
  /// Nil when the level cannot change by time alone: the clock is paused, stopped or overdue.
  public let nextChange: Instant?

  public init(level: WarningLevel, nextChange: Instant?) {
    self.level = level
    self.nextChange = nextChange
  }
}
