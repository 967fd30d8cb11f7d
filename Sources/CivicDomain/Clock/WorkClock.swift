/// A promised limit running on a working calendar: started once, paused and resumed, extended,
/// and stopped when the work is done.
///
/// The clock stores only its inputs; the deadline, remaining time and warning level are computed
/// from them and a `WorkingCalendar`, so a calendar change is applied by computing again.
/// (Named `WorkClock` because `Clock` is a standard-library protocol.)
public struct WorkClock: Sendable, Hashable, Codable {
  public let limit: WorkingLimit
  public let start: Instant
  public private(set) var pauses: [PauseInterval] = []
  public private(set) var extensions: [ClockExtension] = []
  /// When the work finished; the clock counts nothing after it.
  public private(set) var stoppedAt: Instant?

  public init(limit: WorkingLimit, start: Instant) throws(DomainError) {
    guard limit.amount >= 1 else { throw .invalidField("limit", "must be at least 1, got \(limit)") }
    self.limit = limit
    self.start = start
  }

  /// A clock as stored (`CaseClocks.bytes`): its inputs as they were, without the checks
  /// `pause`, `resume`, `extend` and `stop` made when they were first applied.
  init(limit: WorkingLimit, start: Instant, pauses: [PauseInterval], extensions: [ClockExtension], stoppedAt: Instant?) {
    self.limit = limit
    self.start = start
    self.pauses = pauses
    self.extensions = extensions
    self.stoppedAt = stoppedAt
  }

  /// The pause still open, if any.
  public var openPause: PauseInterval? {
    self.pauses.last.flatMap { $0.end == nil ? $0 : nil }
  }

  public var isPaused: Bool { self.openPause != nil }

  public var state: String {
    self.stoppedAt != nil ? "stopped" : self.isPaused ? "paused" : "running"
  }

  public mutating func pause(at instant: Instant, reason: PauseReason, causedBy: Party) throws(DomainError) {
    try self.require("pause", running: true)
    let notBefore = self.pauses.last?.end ?? self.start
    guard instant >= notBefore else { throw .invalidField("at", "pause at \(instant) is before \(notBefore)") }
    self.pauses.append(PauseInterval(start: instant, reason: reason, causedBy: causedBy))
  }

  public mutating func resume(at instant: Instant) throws(DomainError) {
    try self.require("resume", running: false)
    let pauseStart = self.pauses[self.pauses.count - 1].start
    guard instant >= pauseStart else { throw .invalidField("at", "resume at \(instant) is before the pause at \(pauseStart)") }
    self.pauses[self.pauses.count - 1].end = instant
  }

  public mutating func extend(_ extension: ClockExtension) throws(DomainError) {
    guard self.stoppedAt == nil else {
      throw .illegalState(subject: "clock", state: "stopped", action: "extend", allowed: ["running", "paused"])
    }
    guard `extension`.added.amount >= 1 else { throw .invalidField("added", "must be at least 1, got \(`extension`.added)") }
    self.extensions.append(`extension`)
  }

  /// Stops the clock; an open pause ends at the same instant.
  public mutating func stop(at instant: Instant) throws(DomainError) {
    guard self.stoppedAt == nil else {
      throw .illegalState(subject: "clock", state: "stopped", action: "stop", allowed: ["running", "paused"])
    }
    let notBefore = self.pauses.last.map { $0.end ?? $0.start } ?? self.start
    guard instant >= notBefore else { throw .invalidField("at", "stop at \(instant) is before \(notBefore)") }
    if self.isPaused { self.pauses[self.pauses.count - 1].end = instant }
    self.stoppedAt = instant
  }

  private func require(_ action: String, running: Bool) throws(DomainError) {
    let wanted = running ? "running" : "paused"
    guard self.state == wanted else { throw .illegalState(subject: "clock", state: self.state, action: action, allowed: [wanted]) }
  }

  // MARK: Arithmetic

  /// The limit plus every approved extension, in working seconds.
  public func totalSeconds(in calendar: WorkingCalendar) -> Int {
    self.extensions.reduce(self.limit.seconds(in: calendar.businessHours)) { $0 + $1.added.seconds(in: calendar.businessHours) }
  }

  /// The deadline under `calendar`; nil while paused, since it depends on when the pause ends.
  public func deadline(in calendar: WorkingCalendar) throws(DomainError) -> Instant? {
    self.isPaused ? nil : try self.deadlineIgnoringOpenPause(in: calendar)
  }

  /// The deadline counting only the closed pauses: the deadline as it stood when an open pause began.
  public func deadlineIgnoringOpenPause(in calendar: WorkingCalendar) throws(DomainError) -> Instant {
    try calendar.advance(
      from: calendar.countStart(of: self.limit, startingAt: self.start),
      byWorkingSeconds: self.totalSeconds(in: calendar),
      excluding: self.closedPauses
    )
  }

  /// Working seconds left at `instant` (negative once overdue); frozen while paused or stopped.
  public func remainingSeconds(at instant: Instant, in calendar: WorkingCalendar) throws(DomainError) -> Int {
    let counted = try calendar.workingSeconds(
      from: calendar.countStart(of: self.limit, startingAt: self.start),
      to: self.effectiveInstant(at: instant),
      excluding: self.closedPauses
    )
    return self.totalSeconds(in: calendar) - counted
  }

  /// Whether a stopped clock stopped at or before its deadline; nil while it runs or is paused.
  public func finishedOnTime(in calendar: WorkingCalendar) throws(DomainError) -> Bool? {
    guard let stoppedAt = self.stoppedAt else { return nil }
    return try stoppedAt <= self.deadlineIgnoringOpenPause(in: calendar)
  }

  /// True when the deadline passed before `instant` (or before the clock paused or stopped).
  public func isOverdue(at instant: Instant, in calendar: WorkingCalendar) throws(DomainError) -> Bool {
    try self.effectiveInstant(at: instant) > self.deadlineIgnoringOpenPause(in: calendar)
  }

  /// `instant`, but no later than the start of an open pause or the stop.
  func effectiveInstant(at instant: Instant) -> Instant {
    [instant, self.openPause?.start, self.stoppedAt].compactMap { $0 }.min()!
  }

  var closedPauses: [Range<Instant>] {
    self.pauses.compactMap { pause in pause.end.map { pause.start..<$0 } }
  }
}
