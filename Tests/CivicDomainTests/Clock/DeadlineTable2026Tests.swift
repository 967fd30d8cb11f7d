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

@Suite("Deadline table over the 2026 national calendar")
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
