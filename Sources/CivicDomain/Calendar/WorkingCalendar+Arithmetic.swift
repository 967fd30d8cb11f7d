extension WorkingCalendar {
  /// Where counting of `limit` begins for a clock started at `start`.
  ///
  /// Working days: local midnight after the start's local date, so the rest of the day of
  /// acceptance is never counted. Working hours: `start` itself.
  public func countStart(of limit: WorkingLimit, startingAt start: Instant) -> Instant {
    switch limit {
    case .workingDays: return self.startOfDay(self.localDate(of: start).adding(days: 1))
    case .workingHours: return start
    }
  }

  /// The deadline of `limit` for a clock started at `start`, with `pauses` not counted.
  ///
  /// The rule: count working time from `countStart(of:startingAt:)`, skipping rest days, the
  /// hours outside business hours and every instant inside a pause; the deadline is the first
  /// instant at which the counted time equals the limit (a working day counts as one full day of
  /// business hours). Without pauses, `.workingDays(n)` therefore ends at the close of business
  /// of the n-th working day after the day of `start`; a pause moves the deadline later by exactly
  /// the working time it covered after counting began, so a deadline can then fall within a day.
  /// `.workingHours(n)` ends n business hours after `start`.
  public func deadline(
    of limit: WorkingLimit,
    startingAt start: Instant,
    excluding pauses: [Range<Instant>] = []
  ) throws(DomainError) -> Instant {
    guard limit.amount >= 1 else { throw .invalidField("limit", "must be at least 1, got \(limit)") }
    return try self.advance(
      from: self.countStart(of: limit, startingAt: start),
      byWorkingSeconds: limit.seconds(in: self.businessHours),
      excluding: pauses
    )
  }

  /// The first instant at or after `start` at which `seconds` of working time outside `pauses` have passed.
  public func advance(
    from start: Instant,
    byWorkingSeconds seconds: Int,
    excluding pauses: [Range<Instant>] = []
  ) throws(DomainError) -> Instant {
    guard seconds > 0 else { return start }
    var left = seconds
    var result: Instant?
    try self.forEachCountedSegment(from: start, excluding: pauses) { segment in
      let length = segment.lowerBound.seconds(to: segment.upperBound)
      if left <= length {
        result = segment.lowerBound.adding(seconds: left)
        return false
      }
      left -= length
      return true
    }
    // forEachCountedSegment only returns normally after the body stopped it.
    return result!
  }

  /// Working seconds from `start` to `end` outside `pauses`; zero when `end` is not after `start`.
  public func workingSeconds(
    from start: Instant,
    to end: Instant,
    excluding pauses: [Range<Instant>] = []
  ) throws(DomainError) -> Int {
    guard start < end else { return 0 }
    var total = 0
    try self.forEachCountedSegment(from: start, excluding: pauses) { segment in
      guard segment.lowerBound < end else { return false }
      total += segment.lowerBound.seconds(to: min(segment.upperBound, end))
      return segment.upperBound < end
    }
    return total
  }

  /// Calls `body` with each stretch of counted working time from `start` on, in order, until it returns false.
  ///
  /// Every deadline and warning of every case listed goes through here, a day at a time, so the
  /// loop allocates nothing when there are no pauses (the usual case): business periods are
  /// read in place rather than through `workingPeriods(on:)`, and `subtract` is skipped.
  func forEachCountedSegment(
    from start: Instant,
    excluding pauses: [Range<Instant>],
    _ body: (Range<Instant>) -> Bool
  ) throws(DomainError) {
    let merged = pauses.isEmpty ? [] : Self.merge(pauses)
    var day = self.localDate(of: start)
    for _ in 0..<Self.searchHorizonDays {
      if self.isWorkingDay(day) {
        for period in self.businessHours.periods {
          let close = self.instant(day, period.close)
          guard close > start else { continue }
          let clipped = max(self.instant(day, period.open), start)..<close
          guard !clipped.isEmpty else { continue }
          if merged.isEmpty {
            if !body(clipped) { return }
          } else {
            for segment in Self.subtract(merged, from: clipped) where !body(segment) {
              return
            }
          }
        }
      }
      day = day.adding(days: 1)
    }
    throw .noWorkingTime(jurisdiction: self.jurisdiction)
  }

  /// Sorted, non-overlapping, non-empty intervals covering the same instants as `intervals`.
  static func merge(_ intervals: [Range<Instant>]) -> [Range<Instant>] {
    var merged: [Range<Instant>] = []
    for interval in intervals.filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = merged.last, interval.lowerBound <= last.upperBound {
        merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, interval.upperBound)
      } else {
        merged.append(interval)
      }
    }
    return merged
  }

  /// The parts of `range` outside the sorted, merged `holes`.
  static func subtract(_ holes: [Range<Instant>], from range: Range<Instant>) -> [Range<Instant>] {
    var parts: [Range<Instant>] = []
    var cursor = range.lowerBound
    for hole in holes where hole.upperBound > cursor && hole.lowerBound < range.upperBound {
      if hole.lowerBound > cursor { parts.append(cursor..<hole.lowerBound) }
      cursor = max(cursor, hole.upperBound)
    }
    if cursor < range.upperBound { parts.append(cursor..<range.upperBound) }
    return parts
  }
}
