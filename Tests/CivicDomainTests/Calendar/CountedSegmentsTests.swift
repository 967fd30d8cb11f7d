@testable import CivicDomain
import Testing

/// `forEachCountedSegment` reads business periods in place and skips `subtract` when there are
/// no pauses; these check it against the plain definition (each working day's
/// `workingPeriods(on:)`, clipped to the start, minus the merged pauses) on many inputs.
@Suite("Counted working segments", .timeLimit(.minutes(1)))
struct CountedSegmentsTests {
  @Test("the segments equal the plain definition's, with and without pauses, over 2026's holidays")
  func segmentsMatchTheDefinition() throws {
    let yearStart = china.startOfDay(day("2026-01-01"))
    // Starts spread over the year at every time of day (71,993 s is prime and not a whole
    // number of hours); zero to three pauses each, overlapping, empty or before the start.
    for trial in 0..<400 {
      let start = yearStart.adding(seconds: trial * 71_993 % (330 * 86_400))
      let pauses: [Range<Instant>] = (0..<trial % 4).map { pause in
        let from = start.adding(seconds: (trial * 7_919 + pause * 104_729) % (40 * 86_400) - 86_400)
        return from..<from.adding(seconds: (trial * 3_571 + pause * 15_485) % (5 * 86_400))
      }
      let wanted = 60
      var fast: [Range<Instant>] = []
      try china.forEachCountedSegment(from: start, excluding: pauses) { segment in
        fast.append(segment)
        return fast.count < wanted
      }
      #expect(fast == Self.definition(from: start, excluding: pauses, count: wanted), "start \(start), pauses \(pauses)")
    }
  }

  @Test("deadlines over whole working days without pauses close on the n-th working day after the start")
  func wholeDayDeadlines() throws {
    for days in [1, 5, 20, 60] {
      let start = at("2026-09-28 10:00")
      let deadline = try china.deadline(of: .workingDays(days), startingAt: start)
      #expect(deadline == china.closeOfBusiness(try china.workingDay(days, after: day("2026-09-28"))))
    }
  }

  /// The first `count` segments, straight from the definition.
  static func definition(from start: Instant, excluding pauses: [Range<Instant>], count: Int) -> [Range<Instant>] {
    let merged = WorkingCalendar.merge(pauses)
    var segments: [Range<Instant>] = []
    var day = china.localDate(of: start)
    while segments.count < count {
      for period in china.workingPeriods(on: day) where period.upperBound > start {
        segments += WorkingCalendar.subtract(merged, from: max(period.lowerBound, start)..<period.upperBound)
      }
      day = day.adding(days: 1)
    }
    return Array(segments.prefix(count))
  }
}
