/// The dispute indicators of docs/METRICS.md (12–13): the resolution rate (化解率) and the
/// agreement fulfilment rate, as functions of gathered facts; `IndicatorSet` turns them into
/// figures (rates of drill rows, 4 decimals, not applicable on an empty denominator, facts in
/// the window known by `asOf`).
public enum DisputeIndicators {
  /// A dispute that was closed, as the resolution rate needs it.
  public struct Closing: Sendable, Hashable {
    public let caseID: Int64
    /// The intake unit's path (a dispute belongs to the centre that took it in).
    public let unitPath: String
    public let result: DisputeResult
    public let closedAt: Instant

    public init(caseID: Int64, unitPath: String, result: DisputeResult, closedAt: Instant) {
      self.caseID = caseID
      self.unitPath = unitPath
      self.result = result
      self.closedAt = closedAt
    }
  }

  /// The follow-up of one settled route (agreement or partial).
  public struct FollowUp: Sendable, Hashable {
    public let caseID: Int64
    public let task: Int
    public let unitPath: String
    public let fulfilled: Bool
    public let at: Instant

    public init(caseID: Int64, task: Int, unitPath: String, fulfilled: Bool, at: Instant) {
      self.caseID = caseID
      self.task = task
      self.unitPath = unitPath
      self.fulfilled = fulfilled
      self.at = at
    }
  }

  /// A rate: drill rows in case order, numerator, denominator and value (nil when not applicable).
  public struct Rate: Sendable, Hashable {
    public let drill: [DrillRow]
    public var numerator: Int { self.drill.filter(\.counted).count }
    public var denominator: Int { self.drill.count }
    public var value: Double? { self.drill.isEmpty ? nil : IndicatorSet.round(Double(self.numerator) / Double(self.denominator), 4) }
  }

  /// 化解率: resolved ÷ concluded, over the disputes of `selector` closed in `window` (by
  /// `asOf`). Concluded = closed as resolved or not resolved; withdrawn and referred-out
  /// disputes were not concluded by the centre and count in neither.
  public static func resolutionRate(_ closings: [Closing], for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> Rate {
    let rows = closings
      .filter { selector.matches($0.unitPath) && window.contains($0.closedAt) && $0.closedAt <= asOf }
      .filter { $0.result == .resolved || $0.result == .notResolved }
      .sorted { $0.caseID < $1.caseID }
      .map { DrillRow(caseID: $0.caseID, counted: $0.result == .resolved, note: $0.result.rawValue) }
    return Rate(drill: rows)
  }

  /// Agreement fulfilment rate: fulfilled ÷ followed up, over the settled routes of disputes
  /// of `selector` whose follow-up was recorded in `window` (by `asOf`); an agreement not yet
  /// followed up counts in neither.
  public static func fulfilmentRate(_ followUps: [FollowUp], for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> Rate {
    let rows = followUps
      .filter { selector.matches($0.unitPath) && window.contains($0.at) && $0.at <= asOf }
      .sorted { ($0.caseID, $0.task) < ($1.caseID, $1.task) }
      .map { DrillRow(caseID: $0.caseID, counted: $0.fulfilled, note: "task \($0.task) \($0.fulfilled ? "fulfilled" : "not fulfilled")") }
    return Rate(drill: rows)
  }
}
