/// What a service application's timeline establishes for the indicators (docs/METRICS.md). The
/// store keeps these on the case row, written with every transition, so a period's indicators
/// read columns and never decode a snapshot.
public struct CaseIndicatorFacts: Sendable, Hashable {
  /// The intake decision: the first acceptance (受理, 容缺受理) or refusal among the events.
  public var decidedAt: Instant?
  public var accepted = false
  /// The first `completed` (办结) event.
  public var completedAt: Instant?
  /// The newest event.
  public var lastEventAt: Instant?

  public init() {}

  /// The facts of one transition's `events`.
  public init(events: [TimelineEvent]) {
    for event in events {
      switch event.kind {
      case .stateChanged(_, _, let action) where [.accept, .acceptWithMissingMaterials, .refuse].contains(action):
        if self.decidedAt == nil {
          self.decidedAt = event.at
          self.accepted = action != .refuse
        }
      case .completed:
        if self.completedAt == nil { self.completedAt = event.at }
      default:
        break
      }
      self.lastEventAt = max(self.lastEventAt ?? event.at, event.at)
    }
  }

  /// The case clock's deadline (limit + extensions, outside 补正 pauses; nil without a clock or
  /// while paused) and, once completed at `completedAt`, the working days the clock counted.
  public static func clock(of value: Case, completedAt: Instant?, in calendar: WorkingCalendar) throws(DomainError) -> (
    deadline: Instant?, handlingWorkingDays: Double?
  ) {
    guard let clock = value.clock else { return (nil, nil) }
    var handling: Double?
    if let completedAt {
      let day = WorkingLimit.workingDays(1).seconds(in: calendar.businessHours)
      handling = Double(try clock.countedSeconds(until: completedAt, in: calendar)) / Double(day)
    }
    return (try clock.deadline(in: calendar), handling)
  }
}
