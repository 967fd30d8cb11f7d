public import CivicDomain

extension WarningLevel {
  /// The level as `case_warnings.level` and `task_levels` and the alert feed spell it.
  public init?(stored: String) {
    guard let level = WarningLevel.allCases.first(where: { $0.description == stored }) else { return nil }
    self = level
  }
}
