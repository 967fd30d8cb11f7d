import CivicDomain
import Testing

@Suite("Warning levels", .timeLimit(.minutes(1)))
struct WarningTests {
  /// Five working days from Monday 2 March 10:00: deadline Monday 9 March 17:30; 35 h in all,
  /// so yellow (≤ 7 h, one working day, which is also 20 %) from Friday 6 March 17:30.
  func clock() throws -> WorkClock { try WorkClock(limit: .workingDays(5), start: at("2026-03-02 10:00")) }

  @Test(
    "level and next change over the life of a five-day clock",
    arguments: [
      ("2026-03-02 10:00", WarningLevel.green, "2026-03-06 17:30"),
      ("2026-03-06 17:29:59", .green, "2026-03-06 17:30"),
      ("2026-03-06 17:30", .yellow, "2026-03-09 00:00"),
      ("2026-03-07 12:00", .yellow, "2026-03-09 00:00"),
      ("2026-03-09 00:00", .red, "2026-03-09 17:30:01"),
      ("2026-03-09 17:30", .red, "2026-03-09 17:30:01"),
    ]
  )
  func levels(instant: String, level: WarningLevel, next: String) throws {
    let status = try self.clock().warning(at: at(instant), in: china)
    #expect(status.level == level)
    #expect(status.nextChange == at(next))
  }

  @Test("overdue is final: no next change")
  func overdue() throws {
    let status = try self.clock().warning(at: at("2026-03-09 17:30:01"), in: china)
    #expect(status == WarningStatus(level: .overdue, nextChange: nil))
  }

  @Test("the next change time is exact: the level holds until it and differs at it (hourly sweep)")
  func nextChangeIsExact() throws {
    var clock = try self.clock()
    try clock.pause(at: at("2026-03-03 10:00"), reason: .awaitingSupplement, causedBy: .applicant)
    try clock.resume(at: at("2026-03-05 15:00"))
    var instant = at("2026-03-02 10:00")
    var changes = 0
    while instant < at("2026-03-14 00:00") {
      let status = try clock.warning(at: instant, in: china)
      if let next = status.nextChange {
        #expect(try clock.warning(at: next.adding(seconds: -1), in: china).level == status.level)
        #expect(try clock.warning(at: next, in: china).level > status.level)
      } else {
        #expect(status.level == .overdue)
      }
      instant = instant.adding(seconds: 1_800)
      changes += try clock.warning(at: instant, in: china).level != status.level ? 1 : 0
    }
    #expect(changes == 3)
  }

  @Test("a 20-day limit turns yellow at 20 % (four days) remaining, before the one-day rule")
  func percentRule() throws {
    let clock = try WorkClock(limit: .workingDays(20), start: at("2026-12-01 10:00"))
    #expect(try clock.warning(at: at("2026-12-01 10:00"), in: china).nextChange == at("2026-12-23 17:30"))
    #expect(try clock.warning(at: at("2026-12-24 09:00"), in: china).level == .yellow)
  }

  @Test("a policy without yellow goes from green straight to red on the due day")
  func customPolicy() throws {
    let policy = try WarningPolicy(remainingWorkingDays: 0, remainingPercent: 0)
    let status = try self.clock().warning(at: at("2026-03-08 23:59"), in: china, policy: policy)
    #expect(status == WarningStatus(level: .green, nextChange: at("2026-03-09 00:00")))
    #expect(throws: DomainError.invalidField("remainingPercent", "must be 0...100")) {
      try WarningPolicy(remainingWorkingDays: 1, remainingPercent: 101)
    }
    #expect(throws: DomainError.invalidField("remainingWorkingDays", "must not be negative")) {
      try WarningPolicy(remainingWorkingDays: -1, remainingPercent: 20)
    }
  }

  @Test("a one-day limit is yellow from the start; an hours limit due today is red from the start")
  func shortLimits() throws {
    let oneDay = try WorkClock(limit: .workingDays(1), start: at("2026-03-02 10:00"))
    #expect(try oneDay.warning(at: at("2026-03-02 10:00"), in: china) == WarningStatus(level: .yellow, nextChange: at("2026-03-03 00:00")))
    let hours = try WorkClock(limit: .workingHours(4), start: at("2026-03-02 11:00"))
    #expect(try hours.warning(at: at("2026-03-02 11:00"), in: china) == WarningStatus(level: .red, nextChange: at("2026-03-02 16:30:01")))
  }

  @Test("paused and stopped clocks keep the level they had and have no next change")
  func frozen() throws {
    var paused = try self.clock()
    try paused.pause(at: at("2026-03-06 18:00"), reason: .awaitingSupplement, causedBy: .applicant)
    #expect(try paused.warning(at: at("2026-03-20 10:00"), in: china) == WarningStatus(level: .yellow, nextChange: nil))
    var stopped = try self.clock()
    try stopped.stop(at: at("2026-03-03 12:00"))
    #expect(try stopped.warning(at: at("2026-03-20 10:00"), in: china) == WarningStatus(level: .green, nextChange: nil))
  }

  @Test("an extension lowers the level again and moves the next change")
  func extensionLowersLevel() throws {
    var clock = try self.clock()
    #expect(try clock.warning(at: at("2026-03-09 10:00"), in: china).level == .red)
    try clock.extend(
      ClockExtension(
        added: .workingDays(5),
        reason: "expert review",
        requestedBy: .applicant,
        approvedBy: "sup-1",
        approvedAt: at("2026-03-09 10:00")
      )
    )
    // Ten days (70 h): 20 % is two days, so yellow once eight days are used, at close on Thursday 12 March.
    #expect(try clock.warning(at: at("2026-03-09 10:00"), in: china) == WarningStatus(level: .green, nextChange: at("2026-03-12 17:30")))
  }
}
