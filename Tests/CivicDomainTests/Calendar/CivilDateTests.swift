import CivicDomain
import Testing

@Suite("Civil dates", .timeLimit(.minutes(1)))
struct CivilDateTests {
  @Test(
    "known dates and weekdays",
    arguments: [
      ("1970-01-01", 0, 4), ("2026-01-01", 20_454, 4), ("2026-02-17", 20_501, 2),
      ("2000-02-29", 11_016, 2), ("1969-12-31", -1, 3), ("2026-10-01", 20_727, 4),
    ]
  )
  func known(text: String, days: Int, weekday: Int) throws {
    let date = try #require(CivilDate(text))
    #expect(date.daysSinceEpoch == days)
    #expect(date.isoWeekday == weekday)
    #expect(date.description == text)
  }

  @Test("invalid dates are rejected", arguments: ["2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-01-01", "2026-1-01", "x"])
  func invalid(text: String) {
    #expect(CivilDate(text) == nil)
  }

  @Test("day arithmetic round-trips across months, leap days and years")
  func roundTrip() throws {
    var date = try #require(CivilDate("2023-12-25"))
    var previous = date
    for _ in 0..<800 {
      date = date.adding(days: 1)
      #expect(date > previous)
      #expect(CivilDate(year: date.year, month: date.month, day: date.day) == date)
      #expect(date.isoWeekday == previous.isoWeekday % 7 + 1)
      previous = date
    }
    #expect(date.description == "2026-03-04")  // 2024 is a leap year: 366 + 365 + 69 days
  }

  @Test("weekends are Saturday and Sunday")
  func weekends() throws {
    #expect(try #require(CivilDate("2026-11-28")).isWeekend)
    #expect(try #require(CivilDate("2026-11-29")).isWeekend)
    #expect(!(try #require(CivilDate("2026-11-30")).isWeekend))
  }
}
