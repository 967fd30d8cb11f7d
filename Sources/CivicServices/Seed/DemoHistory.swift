import CivicDomain
import CivicRepositories
public import CivicStore
import Foundation

/// A quarter (or `days`) of activity in the demo district, loaded by `civicgridd seed-demo
/// --history 90d`, so that a new user's first `report`, `metrics` and `assessment` show
/// figures: service applications through joint processing (some completed late, some refused,
/// some still open), their ratings with a rectification and its return visit; disputes through
/// joint review, sessions and outcomes (agreements followed up, failures escalated up the
/// ladder, withdrawals, referrals); citizens' requests across the tiers (replied at the first
/// tier, escalated, a rejected reply reopened, replies late) with their return visits. Every
/// step goes through the services as the demo account whose work it is, on a clock set back
/// to when it happened, so the rows, timelines, events and audit rows are the real ones.
///
/// Loading it again adds nothing: the activity is written once, then marked in the audit log
/// (`seed-demo/history`). The staff (`DemoCentre`) and the duty roster are topped up each time.
public enum DemoHistory {
  public struct Report: Sendable, Hashable {
    public var staff = 0
    public var rosterDays = 0
    public var contracts = 0
    public var applications = 0
    public var disputes = 0
    public var requests = 0

    public var summary: String {
      "history: \(self.staff) staff accounts, \(self.rosterDays) duty days, \(self.contracts) mediation contracts, "
        + "\(self.applications) applications, "
        + "\(self.disputes) disputes and \(self.requests) citizens' requests added"
    }
  }

  /// The audit object that marks the activity as written.
  static let marker = "seed-demo/history"

  /// Loads what is missing for the `days` days (1–366) up to now.
  public static func seed(_ store: StorePool, days: Int) async throws -> Report {
    try await Self.seed(store, days: days, now: .now)
  }

  /// The same, the days ending at `now`.
  static func seed(_ store: StorePool, days: Int, now: Instant) async throws -> Report {
    precondition((1...366).contains(days), "history of 1–366 days")
    var report = Report()
    report.staff = try await DemoCentre.seedStaff(store)
    let call = DemoCall(store: store)
    report.rosterDays = try await DemoCentre.seedRoster(call, from: Self.morning(of: now, daysAgo: 0), days: 21)
    report.contracts = try await DemoCentre.seedContracts(call, now: now, days: days)
    let written = try await store.withConnection { connection in
      // Sealed or not: a seed that ran a moment ago may not have its marker numbered yet.
      try await AuditRepository(connection).hasEntry(object: Self.marker)
    }
    guard !written else { return report }
    let clock = HistoryClock(now: now, days: days)
    report.applications = try await DemoApplications.seed(call, clock)
    report.disputes = try await DemoDisputes.seed(call, clock)
    report.requests = try await DemoCitizenRequests.seed(call, clock)
    try await store.transaction { connection in
      try await AuditLog.append(on: connection, command: DemoDistrict.method, object: Self.marker, summary: report.summary)
    }
    return report
  }

  /// 09:00 Beijing time `daysAgo` days before `now`'s day.
  static func morning(of now: Instant, daysAgo: Int) -> Instant {
    Instant(secondsSinceEpoch: (now.secondsSinceEpoch / 86_400 - daysAgo) * 86_400 + 3_600)
  }

  /// The Beijing date of `instant` (`2026-11-20`).
  static func date(_ instant: Instant) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
    formatter.dateFormat = "yyyy-MM-dd"
    return formatter.string(from: Date(instant))
  }

  /// Saturday or Sunday in Beijing (1970-01-01 was a Thursday).
  static func isWeekend(_ instant: Instant) -> Bool {
    let weekday = ((instant.secondsSinceEpoch + 8 * 3600) / 86_400 + 3) % 7  // 0 Monday … 6 Sunday
    return weekday >= 5
  }
}

/// When each piece of history happens: spread over the days before `now`, on working days,
/// with a deterministic variety (the same history every time for the same `now`).
struct HistoryClock: Sendable {
  let now: Instant
  let days: Int

  /// The morning (09:00 Beijing) of the `index`-th of `count` items spread over the period,
  /// moved off weekends to the Friday before.
  func start(_ index: Int, of count: Int) -> Instant {
    let daysAgo = self.days - (index * self.days) / max(1, count)
    var at = DemoHistory.morning(of: self.now, daysAgo: max(1, daysAgo))
    while DemoHistory.isWeekend(at) { at = at.adding(seconds: -86_400) }
    return at
  }

  /// True when `at` has happened by now: later steps are left for the future (still open).
  func happened(_ at: Instant) -> Bool { at < self.now }

  /// A number in 0..<n chosen by `index` (and `salt`), the same every run.
  static func pick(_ index: Int, _ n: Int, salt: Int = 0) -> Int {
    var x = UInt64(truncatingIfNeeded: index &* 2_654_435_761 &+ salt &* 40_503)
    x ^= x >> 13
    x = x &* 0x5bd1_e995
    x ^= x >> 15
    return Int(x % UInt64(max(1, n)))
  }
}
