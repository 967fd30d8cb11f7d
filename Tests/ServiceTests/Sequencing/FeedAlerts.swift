import CivicDomain
import CivicRepositories
import CivicStore

/// Alerts in many units, levels, case kinds and kinds, written as `AlertWriter` writes them
/// (`AlertRepository.append`: the alert-order lock held to commit, then a notification), one
/// transaction each. Every row names one real unit (the feed joins its code) and a unit path
/// of `FeedEvents.paths` (what scopes it).
enum FeedAlerts {
  /// With no level (notices, orders): a level filter never admits those.
  static let levels: [WarningLevel?] = [nil, .green, .yellow, .red, .overdue]
  /// The last two are canonically equivalent: PostgreSQL tells them apart, so must `admits`.
  static let caseKinds = ["", "serviceApplication", "dispute", "caf\u{E9}", "cafe\u{301}"]
  static let kinds = ["warning", "urge", "notice", "order", "inspection"]

  /// Writes alerts `from ..< from + count`, cycling through paths, levels, case kinds and kinds.
  static func write(_ pool: StorePool, unitID: Int64, count: Int, from: Int = 0) async throws {
    for i in from..<(from + count) {
      let alert = NewAlert(
        kind: Self.kinds[(i / 3) % Self.kinds.count], caseID: nil, task: 0, caseKind: Self.caseKinds[(i / 2) % Self.caseKinds.count],
        unitID: unitID, unitPath: FeedEvents.paths[i % FeedEvents.paths.count], level: Self.levels[(i / 5) % Self.levels.count],
        previousLevel: nil, orderID: nil, recordID: Int64(i), summary: "alert \(i)", at: Instant(secondsSinceEpoch: 1_780_000_000 + i)
      )
      try await pool.transaction { try await AlertRepository($0).append([alert]) }
    }
  }

  /// Every alert's sequence, in order.
  static func all(_ pool: StorePool) async throws -> [Int64] {
    try await pool.query("SELECT seq FROM supervision_alerts ORDER BY seq").decode(Int64.self)
  }
}
