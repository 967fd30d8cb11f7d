/// Indicator 17 of docs/METRICS.md, grid workers' training (网格员培训达标率): the share of a
/// unit's grid workers whose training hours in the period reach the period's norm, so that an
/// assessment scheme can weigh training in its grid work like any rate.
public enum GridTrainingIndicator {
  /// The norm: training hours a grid worker owes in a year; a period owes its share of them.
  public static let hoursPerYear = 24.0

  /// A grid worker as the indicator sees them: an enabled account with the `grid_worker`
  /// role, belonging to its unit (a grid).
  public struct Worker: Sendable, Hashable {
    public let login: String
    public let unitPath: String

    public init(login: String, unitPath: String) {
      self.login = login
      self.unitPath = unitPath
    }
  }

  /// One training record (`grid_training`): who, on which day (its local midnight), how long.
  public struct Session: Sendable, Hashable {
    public let login: String
    public let takenAt: Instant
    public let hours: Double

    public init(login: String, takenAt: Instant, hours: Double) {
      self.login = login
      self.takenAt = takenAt
      self.hours = hours
    }
  }

  /// The hours a period of `days` days asks of each worker: the year's norm pro rata, to the
  /// nearest half hour and at least half an hour (a week 0.5, a month 2, a quarter 6, a year 24).
  public static func requiredHours(days: Int) -> Double {
    max(0.5, (Self.hoursPerYear * Double(days) / 365 * 2).rounded() / 2)
  }

  /// The hours `window` asks of each worker (its length in whole days).
  public static func requiredHours(in window: Range<Instant>) -> Double {
    Self.requiredHours(days: window.lowerBound.seconds(to: window.upperBound) / 86_400)
  }

  /// 17. Every grid worker of `selector`, by login; counted when their sessions taken in
  /// `window` (by `asOf`) add up to the period's norm. The rows carry no case (id 0); the
  /// note names the worker and their hours.
  public static func trained(
    _ workers: [Worker], sessions: [Session], for selector: UnitSelector, in window: Range<Instant>, asOf: Instant
  ) -> [DrillRow] {
    let required = Self.requiredHours(in: window)
    var hours: [String: Double] = [:]
    for session in sessions where window.contains(session.takenAt) && session.takenAt <= asOf {
      hours[session.login, default: 0] += session.hours
    }
    return workers
      .filter { selector.matches($0.unitPath) }
      .sorted { $0.login < $1.login }
      .map { worker in
        let taken = hours[worker.login] ?? 0
        return DrillRow(
          caseID: 0,
          counted: taken >= required,
          note: "\(worker.login): \(Figure.fixed(taken, 1)) of \(Figure.fixed(required, 1)) training hours"
        )
      }
  }
}
