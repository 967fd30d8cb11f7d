extension WorkClock {
  /// The warning level at `instant` and when it will next change.
  ///
  /// Levels, most urgent first: overdue after the deadline; red from local midnight of the
  /// deadline's date (due today); yellow once the remaining working time is at or below the
  /// policy's threshold; green otherwise. Time only ever raises the level, so the next change is
  /// the first of those three boundaries after `instant` that gives a different level. A paused or
  /// stopped clock keeps the level it had when it paused or stopped, and has no next change.
  public func warning(
    at instant: Instant,
    in calendar: WorkingCalendar,
    policy: WarningPolicy = .defaults
  ) throws(DomainError) -> WarningStatus {
    let deadline = try self.deadlineIgnoringOpenPause(in: calendar)
    let total = self.totalSeconds(in: calendar)
    let threshold = policy.yellowThreshold(totalSeconds: total, hours: calendar.businessHours)
    let yellowFrom =
      threshold >= total
      ? Instant(secondsSinceEpoch: .min)
      : try calendar.advance(
        from: calendar.countStart(of: self.limit, startingAt: self.start),
        byWorkingSeconds: total - threshold,
        excluding: self.closedPauses
      )
    let dueDayStart = calendar.startOfDay(calendar.localDate(of: deadline))
    func level(_ at: Instant) -> WarningLevel {
      if at > deadline { return .overdue }
      if at >= dueDayStart { return .red }
      return at >= yellowFrom ? .yellow : .green
    }
    let now = self.effectiveInstant(at: instant)
    let current = level(now)
    guard !self.isPaused, self.stoppedAt == nil else { return WarningStatus(level: current, nextChange: nil) }
    let next = [yellowFrom, dueDayStart, deadline.adding(seconds: 1)].sorted().first { $0 > now && level($0) != current }
    return WarningStatus(level: current, nextChange: next)
  }
}
