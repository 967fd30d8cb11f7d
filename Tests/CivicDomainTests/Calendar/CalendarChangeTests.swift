import CivicDomain
import Testing

@Suite("Calendar changes", .timeLimit(.minutes(1)))
struct CalendarChangeTests {
  @Test("the same calendar, or a renamed holiday, is no change")
  func none() throws {
    #expect(china.changes(from: china).isEmpty)
    var holidays = china.holidays
    holidays[day("2026-10-01")] = "National Day (renamed)"
    let renamed = try WorkingCalendar(jurisdiction: "CN", holidays: holidays, swappedWorkingDays: china.swappedWorkingDays)
    #expect(renamed.changes(from: china).isEmpty)
  }

  @Test("added and removed holidays and swapped days are listed by date with their new status")
  func dates() throws {
    var holidays = china.holidays
    holidays[day("2026-03-04")] = "local holiday"
    holidays[day("2026-01-01")] = nil
    var swaps = china.swappedWorkingDays
    swaps[day("2026-03-07")] = "make-up day"
    swaps[day("2026-01-04")] = nil
    let changed = try WorkingCalendar(jurisdiction: "CN", holidays: holidays, swappedWorkingDays: swaps)
    #expect(
      changed.changes(from: china) == [
        .workingDay(day("2026-01-01"), isWorkingDay: true), .workingDay(day("2026-01-04"), isWorkingDay: false),
        .workingDay(day("2026-03-04"), isWorkingDay: false), .workingDay(day("2026-03-07"), isWorkingDay: true),
      ]
    )
  }

  @Test("weekend days, business hours and offset changes are reported")
  func settings() throws {
    let hours = try BusinessHours([BusinessPeriod(open: TimeOfDay("08:30")!, close: TimeOfDay("17:00")!)])
    let old = try WorkingCalendar(jurisdiction: "X")
    let new = try WorkingCalendar(jurisdiction: "X", weekendDays: [7], businessHours: hours, utcOffsetSeconds: 7 * hour)
    #expect(
      new.changes(from: old) == [
        .weekendDays(from: [6, 7], to: [7]), .businessHours(from: .standard, to: hours), .utcOffset(from: 8 * hour, to: 7 * hour),
      ]
    )
    #expect(new.changes(from: old).map(\.description).first == "weekend days changed from [6, 7] to [7]")
  }
}
