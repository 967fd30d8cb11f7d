/// Bad-rating rectifications (差评整改) are cases of kind `CasePolicy.rectification` on the
/// engine: `Case.openRectification` opens one, `RectificationCommand` moves it.
public enum Rectification {
  /// The responsible unit's working days to rectify and report, unless stated otherwise.
  public static let defaultWorkingDays = 5
}

/// A unit's appeal (申诉复核) against a bad rating, decided by a supervisor.
public enum AppealOutcome: String, Sendable, Hashable, Codable {
  case pending
  /// The rating is excluded from every indicator and its rectification is voided.
  case upheld
  /// The rating stands.
  case rejected
}
