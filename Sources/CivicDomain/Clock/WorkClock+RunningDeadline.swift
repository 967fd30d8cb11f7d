extension WorkClock {
  /// The deadline of a clock still running, or nil once it stopped: what the open-case
  /// indexes (`cases.deadline`, `case_tasks.deadline`) hold.
  public func runningDeadline(in calendar: WorkingCalendar) throws(DomainError) -> Instant? {
    guard self.stoppedAt == nil else { return nil }
    return try self.deadline(in: calendar)
  }
}
