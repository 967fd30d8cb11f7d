/// What an indicator's figure should reach (the work plan's: acceptance 100 %, on-time
/// completion 100 %, dispute resolution ≥ 95 %), versioned as a whole like the assessment
/// scheme: a closed period is judged against the version in force when it closed.
public struct IndicatorTargets: Sendable, Hashable, Codable {
  /// One indicator's target: its figure must be at least (rates) or at most (counts, averages) `threshold`.
  public struct Target: Sendable, Hashable, Codable {
    public enum Comparison: String, Sendable, Hashable, Codable { case atLeast, atMost }

    public let indicator: Indicator
    public let comparison: Comparison
    /// A rate's threshold is a fraction (0.95 for 95 %).
    public let threshold: Double

    public init(indicator: Indicator, comparison: Comparison, threshold: Double) {
      self.indicator = indicator
      self.comparison = comparison
      self.threshold = threshold
    }

    /// Whether `figure` falls short; a figure that is not applicable misses nothing.
    public func isMissed(by figure: Figure) -> Bool {
      guard figure.indicator == self.indicator, let value = figure.value else { return false }
      switch self.comparison {
      case .atLeast: return value < self.threshold
      case .atMost: return value > self.threshold
      }
    }

    /// `≥ 95.00%`, `≤ 2`.
    public var display: String {
      let sign = self.comparison == .atLeast ? "≥" : "≤"
      let value = Figure(indicator: self.indicator, numerator: 0, denominator: 0, value: self.threshold, drill: []).display
      return "\(sign) \(value)"
    }
  }

  /// One figure short of its target.
  public struct Miss: Sendable, Hashable {
    public let target: Target
    public let figure: Figure
  }

  public let version: Int
  public let targets: [Target]

  /// Validates: at most one target per indicator; a rate's threshold in 0…1, any other's not negative.
  public init(version: Int, targets: [Target]) throws(DomainError) {
    guard version >= 1 else { throw .invalidField("version", "must be at least 1, got \(version)") }
    var seen: Set<Indicator> = []
    for (index, target) in targets.enumerated() {
      guard seen.insert(target.indicator).inserted else {
        throw .invalidField("targets[\(index)].indicator", "\(target.indicator.rawValue) has a target already")
      }
      guard target.threshold.isFinite, target.threshold >= 0 else {
        throw .invalidField("targets[\(index)].threshold", "must be a number not below 0")
      }
      if target.indicator.shape == .rate, target.threshold > 1 {
        throw .invalidField("targets[\(index)].threshold", "is a fraction for a rate (0.95 for 95 %), got \(target.threshold)")
      }
    }
    self.version = version
    self.targets = targets.sorted { Indicator.allCases.firstIndex(of: $0.indicator)! < Indicator.allCases.firstIndex(of: $1.indicator)! }
  }

  /// Version 1, the district plan's: acceptance rate 100 %, on-time completion 100 %,
  /// dispute resolution rate ≥ 95 % (migration 0015 seeds the same).
  public static let plan = try! IndicatorTargets(
    version: 1,
    targets: [
      Target(indicator: .acceptanceRate, comparison: .atLeast, threshold: 1),
      Target(indicator: .onTimeCompletionRate, comparison: .atLeast, threshold: 1),
      Target(indicator: .disputeResolutionRate, comparison: .atLeast, threshold: 0.95),
    ]
  )

  public func target(for indicator: Indicator) -> Target? { self.targets.first { $0.indicator == indicator } }

  /// The figures that miss their target, in indicator order.
  public func misses(_ figures: [Figure]) -> [Miss] {
    figures.compactMap { figure in
      self.target(for: figure.indicator).flatMap { $0.isMissed(by: figure) ? Miss(target: $0, figure: figure) : nil }
    }
  }
}
