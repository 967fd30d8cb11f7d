/// A bad-rating rectification (差评整改): the responsible unit rectifies on a working-day
/// clock, reports, and a return visit (回访) closes it; an upheld appeal voids it.
/// Its states and moves are `CasePolicy.rectification`.
public struct Rectification: Sendable, Hashable, Codable {
  public static let defaultWorkingDays = 5

  public internal(set) var state: CaseState
  public internal(set) var clock: WorkClock
  public internal(set) var report: String?
  /// The return visit's finding, once made.
  public internal(set) var returnVisit: ReturnVisit?
  public internal(set) var version: Int

  public struct ReturnVisit: Sendable, Hashable, Codable {
    /// Whether the citizen was satisfied with the rectification on the return visit.
    public let satisfied: Bool
    public let note: String
    public let at: Instant
  }

  /// Opens and hands to the unit at once: the clock starts at `instant`.
  public static func open(at instant: Instant, workingDays: Int = Self.defaultWorkingDays) throws(DomainError) -> Rectification {
    guard (1...60).contains(workingDays) else { throw .invalidField("working_days", "must be 1…60, got \(workingDays)") }
    var value = Rectification(state: CasePolicy.rectification.initial, clock: try WorkClock(limit: .workingDays(workingDays), start: instant), version: 1)
    try value.move(.dispatch)
    return value
  }

  /// The unit's report of what it rectified.
  public func reporting(_ text: String, at instant: Instant, expectedVersion: Int) throws(DomainError) -> Rectification {
    try self.check(expectedVersion)
    let text = text.trimmingSpaces
    guard !text.isEmpty else { throw .invalidField("report", "must not be empty") }
    var next = self
    try next.move(.complete)
    try next.clock.stop(at: instant)
    next.report = text
    return next
  }

  /// The return visit that closes the rectification.
  public func returnVisited(satisfied: Bool, note: String, at instant: Instant, expectedVersion: Int) throws(DomainError) -> Rectification {
    try self.check(expectedVersion)
    var next = self
    try next.move(.deliver)
    next.returnVisit = ReturnVisit(satisfied: satisfied, note: note.trimmingSpaces, at: instant)
    return next
  }

  /// Voided by an upheld appeal.
  public func voided(at instant: Instant) throws(DomainError) -> Rectification {
    var next = self
    try next.move(.refuse)
    if next.clock.stoppedAt == nil { try next.clock.stop(at: instant) }
    return next
  }

  mutating func move(_ action: CaseAction) throws(DomainError) {
    self.state = try CasePolicy.rectification.target(of: action, from: self.state, subject: "rectification")
    self.version += 1
  }

  func check(_ expected: Int) throws(DomainError) {
    guard expected == self.version else { throw .staleVersion(subject: "rectification", expected: expected, current: self.version) }
  }
}

/// A unit's appeal (申诉复核) against a bad rating, decided by a supervisor.
public enum AppealOutcome: String, Sendable, Hashable, Codable {
  case pending
  /// The rating is excluded from every indicator and its rectification is voided.
  case upheld
  /// The rating stands.
  case rejected
}
