import CivicDomain
import Testing

/// Slots over the 2026 national calendar: regular hours on working days (swapped Saturdays
/// too), weekly extended hours on working days only, weekly weekend duty on ordinary
/// weekends only, dated roster entries on their date whatever the calendar says.
@Suite("Appointment slots", .timeLimit(.minutes(1)))
struct SlotGeneratorTests {
  static func time(_ text: String) -> TimeOfDay { TimeOfDay(text)! }
  static func period(_ open: String, _ close: String) -> BusinessPeriod { BusinessPeriod(open: time(open), close: time(close)) }

  static let offer = try! AppointmentOffer(centreCode: "C-EAST", itemCode: "RES-CERT", slotMinutes: 30, capacity: 3)

  /// Tuesday and Thursday evenings 17:30–19:30, Saturday mornings 09:00–12:00 with one clerk,
  /// and a dated duty morning on the Labour Day holiday.
  static let schedule = try! CentreSchedule(
    regularHours: .standard,
    roster: [
      RosterEntry(kind: .extendedHours, recurrence: .weekly(2), period: period("17:30", "19:30")),
      RosterEntry(kind: .extendedHours, recurrence: .weekly(4), period: period("17:30", "19:30")),
      RosterEntry(kind: .weekendDuty, recurrence: .weekly(6), period: period("09:00", "12:00"), capacity: 1),
      RosterEntry(kind: .weekendDuty, recurrence: .date(day("2026-05-03")), period: period("09:00", "11:00"), capacity: 2),
    ]
  )

  func slots(_ first: String, _ last: String, offer: AppointmentOffer = Self.offer) throws -> [Slot] {
    try SlotGenerator.slots(offer: offer, schedule: Self.schedule, calendar: china, from: day(first), through: day(last))
  }

  func perDay(_ slots: [Slot]) -> [String: Int] {
    Dictionary(grouping: slots, by: { $0.date.description }).mapValues(\.count)
  }

  @Test("an ordinary week: 14 regular slots a working day, 4 more on Tuesday and Thursday evenings, 6 on Saturday duty")
  func ordinaryWeek() throws {
    let week = try self.slots("2026-03-02", "2026-03-08")
    #expect(
      self.perDay(week) == [
        "2026-03-02": 14, "2026-03-03": 18, "2026-03-04": 14, "2026-03-05": 18, "2026-03-06": 14, "2026-03-07": 6,
      ]
    )
    let tuesday = week.filter { $0.date == day("2026-03-03") }
    #expect(tuesday.first?.start == Self.time("09:00"))
    #expect(tuesday.first?.startsAt == at("2026-03-03 09:00"))
    #expect(tuesday.first?.endsAt == at("2026-03-03 09:30"))
    #expect(tuesday.map(\.start.description).contains("13:30"))
    #expect(!tuesday.map(\.start.description).contains("12:00"))
    #expect(tuesday.filter { $0.source == .extendedHours }.map(\.start.description) == ["17:30", "18:00", "18:30", "19:00"])
    let saturday = week.filter { $0.date == day("2026-03-07") }
    #expect(saturday.allSatisfy { $0.source == .weekendDuty && $0.capacity == 1 })
    #expect(week.filter { $0.source != .weekendDuty }.allSatisfy { $0.capacity == 3 })
    #expect(week == week.sorted { $0.startsAt < $1.startsAt })
  }

  @Test("a swapped working Saturday has regular hours and no weekend duty")
  func swappedSaturday() throws {
    let slots = try self.slots("2026-02-28", "2026-02-28")
    #expect(slots.count == 14)
    #expect(slots.allSatisfy { $0.source == .regular })
  }

  @Test("public holidays: no regular hours, no weekly roster; a dated duty entry still opens")
  func holidays() throws {
    // 2026-05-01 Friday … 05-05 Tuesday is Labour Day; the 2nd is a Saturday, the 5th a Tuesday.
    let slots = try self.slots("2026-05-01", "2026-05-05")
    #expect(self.perDay(slots) == ["2026-05-03": 4])
    #expect(slots.allSatisfy { $0.capacity == 2 && $0.source == .weekendDuty })
    // National Day 2026-10-01 is a Thursday: no extended evening.
    #expect(try self.slots("2026-10-01", "2026-10-01").isEmpty)
  }

  @Test(
    "slot length cuts each period; a remainder shorter than a slot is not offered",
    arguments: [(30, 14), (45, 9), (50, 7), (60, 7), (240, 1)]
  )
  func lengths(minutes: Int, count: Int) throws {
    let offer = try AppointmentOffer(centreCode: "C", itemCode: "I", slotMinutes: minutes, capacity: 1)
    // 09:00–12:00 (180 min) and 13:30–17:30 (240 min) on Monday 2026-03-02.
    #expect(try self.slots("2026-03-02", "2026-03-02", offer: offer).count == count)
  }

  @Test("a booking is checked against the generated slots")
  func lookup() throws {
    let found = SlotGenerator.slot(startingAt: at("2026-03-05 18:30"), offer: Self.offer, schedule: Self.schedule, calendar: china)
    #expect(found?.source == .extendedHours)
    #expect(found?.endsAt == at("2026-03-05 19:00"))
    #expect(SlotGenerator.slot(startingAt: at("2026-03-05 09:10"), offer: Self.offer, schedule: Self.schedule, calendar: china) == nil)
    #expect(SlotGenerator.slot(startingAt: at("2026-03-08 09:00"), offer: Self.offer, schedule: Self.schedule, calendar: china) == nil)
  }

  @Test("ranges are bounded and ordered")
  func ranges() {
    #expect(throws: DomainError.invalidField("to_date", "2026-03-01 is before from_date 2026-03-02")) {
      try self.slots("2026-03-02", "2026-03-01")
    }
    #expect(throws: DomainError.self) { try self.slots("2026-03-01", "2026-05-31") }
  }

  @Test("overlapping roster entries and bad offers are refused, naming the entry")
  func validation() {
    #expect(throws: DomainError.self) {
      try CentreSchedule(
        regularHours: .standard,
        roster: [RosterEntry(kind: .extendedHours, recurrence: .weekly(2), period: Self.period("17:00", "19:00"))]
      )
    }
    #expect(throws: DomainError.self) {
      try CentreSchedule(
        regularHours: .standard,
        roster: [
          RosterEntry(kind: .weekendDuty, recurrence: .weekly(6), period: Self.period("09:00", "12:00")),
          RosterEntry(kind: .weekendDuty, recurrence: .weekly(6), period: Self.period("11:00", "13:00")),
        ]
      )
    }
    #expect(throws: DomainError.invalidField("weekday", "must be an ISO weekday 1...7, got 8")) {
      try RosterEntry(kind: .weekendDuty, recurrence: .weekly(8), period: Self.period("09:00", "12:00"))
    }
    #expect(throws: DomainError.self) { try AppointmentOffer(centreCode: "C", itemCode: "I", slotMinutes: 3, capacity: 1) }
    #expect(throws: DomainError.self) { try AppointmentOffer(centreCode: "C", itemCode: "I", slotMinutes: 30, capacity: 0) }
  }

  @Test("appointment transitions: cancel before the slot ends, check in from an hour before")
  func transitions() throws {
    let start = at("2026-03-03 10:00")
    let end = at("2026-03-03 10:30")
    #expect(try AppointmentRules.checkIn(state: .booked, slotStart: start, slotEnd: end, now: at("2026-03-03 09:00")) == .checkedIn)
    #expect(throws: DomainError.self) {
      try AppointmentRules.checkIn(state: .booked, slotStart: start, slotEnd: end, now: at("2026-03-03 08:59"))
    }
    #expect(throws: DomainError.self) {
      try AppointmentRules.checkIn(state: .booked, slotStart: start, slotEnd: end, now: at("2026-03-03 10:30"))
    }
    #expect(
      throws: DomainError.illegalState(subject: "appointment", state: "CANCELLED", action: "check in", allowed: ["BOOKED"])
    ) {
      try AppointmentRules.checkIn(state: .cancelled, slotStart: start, slotEnd: end, now: at("2026-03-03 10:00"))
    }
    #expect(try AppointmentRules.cancel(state: .booked, slotEnd: end, now: at("2026-03-03 10:10")) == .cancelled)
    #expect(throws: DomainError.self) { try AppointmentRules.cancel(state: .checkedIn, slotEnd: end, now: at("2026-03-03 10:10")) }
    #expect(throws: DomainError.self) { try AppointmentRules.book(slotStart: start, now: start) }
    #expect(try HomeVisitState.requested.assign() == .assigned)
    #expect(try HomeVisitState.assigned.assign() == .assigned)
    #expect(throws: DomainError.self) { try HomeVisitState.done.assign() }
  }
}
