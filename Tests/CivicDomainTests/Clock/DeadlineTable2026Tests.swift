import CivicDomain
import Testing

/// One clock of the 2026 table: start, limit, pauses and extensions, and the deadline worked out by hand.
struct DeadlineRow: Sendable, CustomStringConvertible {
  let start: String
  let limit: WorkingLimit
  let pauses: [(String, String)]
  let extensions: [WorkingLimit]
  let deadline: String
  let why: String

  var description: String { self.why }
}

@Suite("Deadline table over the 2026 national calendar", .timeLimit(.minutes(1)))
struct DeadlineTable2026Tests {
  static let rows: [DeadlineRow] = [
    DeadlineRow(
      start: "2026-02-12 10:00",
      limit: .workingDays(5),
      pauses: [],
      extensions: [],
      deadline: "2026-02-26 17:30",
      why: "Spring Festival: 13th, swapped Saturday 14th, then 24th–26th"
    ),
    DeadlineRow(
      start: "2026-02-12 10:00",
      limit: .workingDays(5),
      pauses: [("2026-02-13 14:00", "2026-02-14 10:00")],
      extensions: [],
      deadline: "2026-02-27 15:00",
      why: "a 补正 pause of 4.5 working hours (Friday 14:00–17:30, swapped Saturday 09:00–10:00)"
    ),
    DeadlineRow(
      start: "2026-02-12 10:00",
      limit: .workingDays(5),
      pauses: [("2026-02-13 14:00", "2026-02-14 10:00")],
      extensions: [.workingDays(2)],
      deadline: "2026-03-02 15:00",
      why: "plus two days: 2.5 h on the 27th, the swapped Saturday 28th, 4.5 h on 2 March"
    ),
    DeadlineRow(
      start: "2026-09-18 10:00",
      limit: .workingDays(10),
      pauses: [],
      extensions: [],
      deadline: "2026-10-09 17:30",
      why: "Mid-Autumn and National Day: swapped Sunday 20 September is day 1, 8–9 October days 9–10"
    ),
    DeadlineRow(
      start: "2026-09-18 10:00",
      limit: .workingDays(10),
      pauses: [("2026-09-24 13:30", "2026-09-28 12:00")],
      extensions: [],
      deadline: "2026-10-10 17:30",
      why: "a pause of one working day across Mid-Autumn ends on the swapped Saturday 10 October"
    ),
    DeadlineRow(
      start: "2026-09-18 10:00",
      limit: .workingDays(10),
      pauses: [("2026-09-24 13:30", "2026-09-28 12:00")],
      extensions: [.workingDays(1)],
      deadline: "2026-10-12 17:30",
      why: "one more day skips Sunday 11 October"
    ),
    DeadlineRow(
      start: "2026-04-03 09:00",
      limit: .workingHours(8),
      pauses: [],
      extensions: [],
      deadline: "2026-04-07 10:00",
      why: "Qingming: 7 h on Friday 3 April, then Tuesday 7 April 09:00–10:00"
    ),
    DeadlineRow(
      start: "2026-06-18 17:00",
      limit: .workingDays(1),
      pauses: [],
      extensions: [],
      deadline: "2026-06-22 17:30",
      why: "Dragon Boat Festival 19th–21st"
    ),
    DeadlineRow(
      start: "2025-12-31 10:00",
      limit: .workingDays(3),
      pauses: [],
      extensions: [],
      deadline: "2026-01-06 17:30",
      why: "New Year's Day 1st–3rd; swapped Sunday 4 January is day 1, then Monday 5th and Tuesday 6th"
    ),
    DeadlineRow(
      start: "2025-12-31 16:00",
      limit: .workingHours(4),
      pauses: [],
      extensions: [],
      deadline: "2026-01-04 11:30",
      why: "1.5 h on 31 December, then 2.5 h of the swapped Sunday 4 January"
    ),
    DeadlineRow(
      start: "2026-04-29 10:00",
      limit: .workingDays(5),
      pauses: [],
      extensions: [],
      deadline: "2026-05-09 17:30",
      why: "Labour Day 1st–5th: 30 April, 6th, 7th, 8th, and swapped Saturday 9 May is day 5"
    ),
    DeadlineRow(
      start: "2026-04-30 15:00",
      limit: .workingHours(6),
      pauses: [("2026-05-06 09:00", "2026-05-06 10:00")],
      extensions: [],
      deadline: "2026-05-06 15:00",
      why: "2.5 h on 30 April; on 6 May the first hour is paused, then 10:00–12:00 and 13:30–15:00"
    ),
    DeadlineRow(
      start: "2026-02-10 10:00",
      limit: .workingDays(3),
      pauses: [("2026-02-13 09:00", "2026-02-24 09:00")],
      extensions: [],
      deadline: "2026-02-24 17:30",
      why: "a pause over the whole Spring Festival covers only Friday 13th and swapped Saturday 14th: two days"
    ),
    DeadlineRow(
      start: "2026-03-02 10:00",
      limit: .workingDays(5),
      pauses: [("2026-03-03 09:00", "2026-03-03 17:30"), ("2026-03-05 13:30", "2026-03-06 12:00")],
      extensions: [.workingDays(1), .workingDays(2)],
      deadline: "2026-03-16 17:30",
      why: "two pauses of 7 h each and two extensions: 5 + 2 + 3 days after Monday 2 March, over one weekend"
    ),
    DeadlineRow(
      start: "2026-09-28 10:00",
      limit: .workingDays(2),
      pauses: [],
      extensions: [.workingDays(3)],
      deadline: "2026-10-10 17:30",
      why: "an extension across National Day: 29th, 30th, then 8th, 9th and swapped Saturday 10 October"
    ),
    DeadlineRow(
      start: "2026-12-31 16:00",
      limit: .workingDays(2),
      pauses: [],
      extensions: [],
      deadline: "2027-01-04 17:30",
      why: "into 2027 with ordinary weekends only: this calendar lists no 2027 holidays yet"
    ),
  ]

  @Test("deadlines worked out by hand", arguments: Self.rows)
  func deadline(row: DeadlineRow) throws {
    var clock = try WorkClock(limit: row.limit, start: at(row.start))
    for (start, end) in row.pauses {
      try clock.pause(at: at(start), reason: .awaitingSupplement, causedBy: .applicant)
      try clock.resume(at: at(end))
    }
    for added in row.extensions {
      try clock.extend(
        ClockExtension(added: added, reason: "table", requestedBy: .applicant, approvedBy: "sup-1", approvedAt: at(row.start))
      )
    }
    #expect(try clock.deadline(in: china) == at(row.deadline))
  }
}
