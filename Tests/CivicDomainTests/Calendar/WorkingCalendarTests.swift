import CivicDomain
import Testing

@Suite("Working calendar", .timeLimit(.minutes(1)))
struct WorkingCalendarTests {
  @Test(
    "working days of 2026: holidays, swapped days and ordinary weekends",
    arguments: [
      ("2026-01-01", false), ("2026-01-02", false), ("2026-01-04", true), ("2026-02-13", true), ("2026-02-14", true),
      ("2026-02-15", false), ("2026-02-23", false), ("2026-02-24", true), ("2026-02-28", true), ("2026-03-01", false),
      ("2026-04-06", false), ("2026-05-05", false), ("2026-05-09", true), ("2026-06-19", false), ("2026-09-20", true),
      ("2026-09-25", false), ("2026-10-07", false), ("2026-10-10", true), ("2026-10-11", false), ("2026-03-02", true),
      ("2026-03-07", false),
    ]
  )
  func workingDays(date: String, working: Bool) {
    #expect(china.isWorkingDay(day(date)) == working)
  }

  @Test("the 2026 data: 33 holiday dates in seven periods, six swapped working days, none on both lists")
  func holidayData() {
    #expect(Holidays2026.holidays.count == 33)
    #expect(Holidays2026.swappedWorkingDays.count == 6)
    #expect(Holidays2026.swappedWorkingDays.keys.allSatisfy { $0.isWeekend })
    #expect(Holidays2026.holidays[day("2026-02-17")] == "春节 Spring Festival")
    #expect(china.utcOffsetSeconds == 8 * hour)
    #expect(china.businessHours.secondsPerDay == 7 * hour)
  }

  @Test("local dates use the fixed offset: 16:30 UTC is 00:30 the next day in Beijing")
  func localDates() throws {
    let instant = at("2026-06-21 00:30")
    #expect(instant.secondsSinceEpoch == day("2026-06-20").daysSinceEpoch * 86_400 + 16 * hour + 30 * 60)
    #expect(china.localDate(of: instant) == day("2026-06-21"))
    #expect(china.localDate(of: instant.adding(seconds: -30 * 60 - 1)) == day("2026-06-20"))
    let west = try WorkingCalendar(jurisdiction: "X", utcOffsetSeconds: -5 * hour)
    #expect(west.localDate(of: Instant(secondsSinceEpoch: 2 * hour)) == day("1969-12-31"))
  }

  @Test(
    "deadline of N working days: close of business of the Nth working day after the day of acceptance",
    arguments: [
      ("2026-03-02 10:00", 5, "2026-03-09 17:30"),  // Monday; the weekend is skipped
      ("2026-03-02 08:00", 1, "2026-03-03 17:30"),  // before opening, the day of acceptance still does not count
      ("2026-02-13 15:00", 3, "2026-02-25 17:30"),  // Saturday 14th is worked; Spring Festival 15th–23rd
      ("2026-09-30 09:30", 5, "2026-10-13 17:30"),  // National Day; Saturday 10 October is worked
      ("2026-09-18 16:00", 2, "2026-09-21 17:30"),  // Sunday 20 September is worked
      ("2026-01-01 11:00", 1, "2026-01-04 17:30"),  // taken online on a holiday; Sunday 4 January is worked
      ("2026-04-30 17:00", 3, "2026-05-08 17:30"),  // Labour Day 1st–5th
      ("2026-06-21 00:30", 1, "2026-06-22 17:30"),  // local date, not the UTC date (still 20 June in UTC)
      ("2026-12-01 10:00", 20, "2026-12-29 17:30"),
    ]
  )
  func workingDayDeadlines(start: String, days: Int, expected: String) throws {
    #expect(try china.deadline(of: .workingDays(days), startingAt: at(start)) == at(expected))
  }

  @Test(
    "deadline of N working hours counts from the start instant within business hours",
    arguments: [
      ("2026-03-02 11:00", 4, "2026-03-02 16:30"),  // across the lunch break
      ("2026-03-06 16:00", 3, "2026-03-09 10:30"),  // Friday to Monday
      ("2026-02-13 17:00", 2, "2026-02-14 10:30"),  // onto the swapped Saturday
      ("2026-03-02 07:00", 3, "2026-03-02 12:00"),  // before opening; ends exactly at the lunch break
      ("2026-03-02 12:15", 1, "2026-03-02 14:30"),  // during lunch
      ("2026-03-02 17:30", 1, "2026-03-03 10:00"),  // at closing
    ]
  )
  func workingHourDeadlines(start: String, hours: Int, expected: String) throws {
    #expect(try china.deadline(of: .workingHours(hours), startingAt: at(start)) == at(expected))
  }

  @Test(
    "pauses move the deadline by the working time they cover after counting began",
    arguments: [
      // 补正 Tuesday 10:00 to Thursday 15:00 covers 17.5 working hours.
      ([("2026-03-03 10:00", "2026-03-05 15:00")], "2026-03-12 14:00"),
      // Overlapping pauses count once: 10:00–14:30 is three working hours.
      ([("2026-03-03 10:00", "2026-03-03 12:00"), ("2026-03-03 11:00", "2026-03-03 14:30")], "2026-03-10 12:00"),
      // A pause on the day of acceptance or over a weekend covers no counted time.
      ([("2026-03-02 11:00", "2026-03-02 16:00"), ("2026-03-07 09:00", "2026-03-08 18:00")], "2026-03-09 17:30"),
      // A pause ending at the deadline's afternoon opening: the last day's morning is paused.
      ([("2026-03-09 09:00", "2026-03-09 12:00")], "2026-03-10 12:00"),
    ]
  )
  func pausedDeadlines(pauses: [(String, String)], expected: String) throws {
    let ranges = pauses.map { at($0.0)..<at($0.1) }
    #expect(try china.deadline(of: .workingDays(5), startingAt: at("2026-03-02 10:00"), excluding: ranges) == at(expected))
  }

  @Test("working time between two instants skips rest days, closed hours and pauses")
  func workingTime() throws {
    // Friday 10:00–17:30 is 6 h, the swapped Saturday 7 h, Tuesday 24th 09:00–10:00 1 h.
    #expect(try china.workingSeconds(from: at("2026-02-13 10:00"), to: at("2026-02-24 10:00")) == 14 * hour)
    #expect(
      try china.workingSeconds(
        from: at("2026-02-13 10:00"),
        to: at("2026-02-24 10:00"),
        excluding: [at("2026-02-14 00:00")..<at("2026-02-14 11:00")]
      )
        == 12 * hour
    )
    #expect(try china.workingSeconds(from: at("2026-03-02 12:00"), to: at("2026-03-02 13:30")) == 0)
    #expect(try china.workingSeconds(from: at("2026-03-03 10:00"), to: at("2026-03-02 10:00")) == 0)
  }

  @Test("a calendar change is applied by computing again: the same inputs give the new deadline")
  func recompute() throws {
    let start = at("2026-03-02 10:00")
    let before = try china.deadline(of: .workingDays(5), startingAt: start)
    var holidays = china.holidays
    holidays[day("2026-03-04")] = "local holiday"
    let withHoliday = try WorkingCalendar(jurisdiction: "CN-X", holidays: holidays, swappedWorkingDays: china.swappedWorkingDays)
    var swaps = china.swappedWorkingDays
    swaps[day("2026-03-07")] = "make-up day"
    let withSwap = try WorkingCalendar(jurisdiction: "CN-Y", holidays: china.holidays, swappedWorkingDays: swaps)
    let later = try withHoliday.deadline(of: .workingDays(5), startingAt: start)
    let earlier = try withSwap.deadline(of: .workingDays(5), startingAt: start)
    #expect(before == at("2026-03-09 17:30"))
    #expect(later == withHoliday.closeOfBusiness(day("2026-03-10")))
    #expect(earlier == withSwap.closeOfBusiness(day("2026-03-07")))
    #expect(try china.deadline(of: .workingDays(5), startingAt: start) == before)
  }

  @Test("other business hours and weekends are honoured")
  func customHours() throws {
    let hours = try BusinessHours([BusinessPeriod(open: TimeOfDay("08:00")!, close: TimeOfDay("16:00")!)])
    let calendar = try WorkingCalendar(jurisdiction: "Z", weekendDays: [5, 6], businessHours: hours, utcOffsetSeconds: 0)
    let thursday = calendar.instant(day("2026-03-05"), TimeOfDay("10:00")!)
    // Friday and Saturday rest; Sunday is the first working day.
    #expect(try calendar.deadline(of: .workingDays(1), startingAt: thursday) == calendar.instant(day("2026-03-08"), TimeOfDay("16:00")!))
    #expect(try calendar.deadline(of: .workingHours(8), startingAt: thursday) == calendar.instant(day("2026-03-08"), TimeOfDay("10:00")!))
    #expect(try calendar.workingDay(2, after: day("2026-03-05")) == day("2026-03-09"))
  }

  @Test("invalid calendars are refused naming the field")
  func invalidCalendars() {
    #expect(throws: DomainError.invalidField("jurisdiction", "must not be empty")) { try WorkingCalendar(jurisdiction: "") }
    #expect(throws: DomainError.invalidField("weekendDays", "must be ISO weekdays 1...7, got [0, 6]")) {
      try WorkingCalendar(jurisdiction: "X", weekendDays: [0, 6])
    }
    #expect(throws: DomainError.invalidField("weekendDays", "cannot be every day of the week")) {
      try WorkingCalendar(jurisdiction: "X", weekendDays: Set(1...7))
    }
    #expect(throws: DomainError.invalidField("swappedWorkingDays", "2026-03-07 is also a holiday")) {
      try WorkingCalendar(jurisdiction: "X", holidays: [day("2026-03-07"): "h"], swappedWorkingDays: [day("2026-03-07"): "s"])
    }
    #expect(throws: DomainError.invalidField("utcOffsetSeconds", "must be within ±14:00, got 54000")) {
      try WorkingCalendar(jurisdiction: "X", utcOffsetSeconds: 15 * hour)
    }
    #expect(throws: DomainError.invalidField("limit", "must be at least 1, got 0 working days")) {
      try china.deadline(of: .workingDays(0), startingAt: at("2026-03-02 10:00"))
    }
  }

  @Test("invalid business hours are refused naming the period")
  func invalidHours() {
    let nine = TimeOfDay("09:00")!
    let noon = TimeOfDay("12:00")!
    let eleven = TimeOfDay("11:00")!
    #expect(throws: DomainError.invalidField("businessHours", "needs at least one period")) { try BusinessHours([]) }
    #expect(throws: DomainError.invalidField("businessHours[0]", "opens at 12:00 but closes at 09:00")) {
      try BusinessHours([BusinessPeriod(open: noon, close: nine)])
    }
    #expect(throws: DomainError.invalidField("businessHours[1]", "opens at 11:00, before the previous period closes at 12:00")) {
      try BusinessHours([BusinessPeriod(open: nine, close: noon), BusinessPeriod(open: eleven, close: TimeOfDay("15:00")!)])
    }
    #expect(TimeOfDay("24:01") == nil)
    #expect(TimeOfDay("9:00") == nil)
    #expect(TimeOfDay("24:00")?.minutes == 1_440)
  }

  @Test("a calendar with no working time within ten years says so instead of looping")
  func noWorkingTime() throws {
    var holidays: [CivilDate: String] = [:]
    var sunday = day("2026-03-01")
    for _ in 0..<600 {
      holidays[sunday] = "rest"
      sunday = sunday.adding(days: 7)
    }
    let calendar = try WorkingCalendar(jurisdiction: "NONE", weekendDays: Set(1...6), holidays: holidays)
    #expect(throws: DomainError.noWorkingTime(jurisdiction: "NONE")) {
      try calendar.deadline(of: .workingDays(1), startingAt: at("2026-03-02 10:00"))
    }
  }
}
