/// When an urgent event's alert must be acknowledged, and what happens when it is not.
public enum UrgentAlertRule {
  /// When an alert sent at `instant` is due, `minutes` later (wall-clock minutes: an urgent
  /// event does not wait for working hours).
  public static func due(sentAt instant: Instant, minutes: Int) -> Instant {
    Instant(secondsSinceEpoch: instant.secondsSinceEpoch + minutes * 60)
  }

  /// Whether a recipient's alert escalates at `now`: not acknowledged, not escalated, due.
  public static func escalates(due: Instant, acknowledged: Bool, escalated: Bool, at now: Instant) -> Bool {
    !acknowledged && !escalated && now >= due
  }
}
