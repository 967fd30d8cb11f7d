import CivicDomain
import Testing

@Suite("Work clock", .timeLimit(.minutes(1)))
struct WorkClockTests {
  let clerk = Party.staff("clerk-1", unit: "centre")

  func fiveDays() throws -> WorkClock { try WorkClock(limit: .workingDays(5), start: at("2026-03-02 10:00")) }

  @Test("deadline, remaining working time and overdue without pauses")
  func running() throws {
    let clock = try self.fiveDays()
    #expect(try clock.deadline(in: china) == at("2026-03-09 17:30"))
    #expect(try clock.remainingSeconds(at: at("2026-03-02 15:00"), in: china) == 35 * hour)
    #expect(try clock.remainingSeconds(at: at("2026-03-04 12:00"), in: china) == 25 * hour)
    #expect(try clock.remainingSeconds(at: at("2026-03-10 10:00"), in: china) == -1 * hour)
    #expect(try !clock.isOverdue(at: at("2026-03-09 17:30"), in: china))
    #expect(try clock.isOverdue(at: at("2026-03-09 17:30:01"), in: china))
  }

  @Test("a pause has no deadline while open and moves it by the working time covered once closed")
  func pauseAndResume() throws {
    var clock = try self.fiveDays()
    try clock.pause(at: at("2026-03-03 10:00"), reason: .awaitingSupplement, causedBy: .applicant)
    #expect(clock.isPaused)
    #expect(try clock.deadline(in: china) == nil)
    #expect(try clock.deadlineIgnoringOpenPause(in: china) == at("2026-03-09 17:30"))
    // Frozen: a week later the remaining time is what it was when the pause began.
    #expect(try clock.remainingSeconds(at: at("2026-03-10 10:00"), in: china) == 34 * hour)
    #expect(try !clock.isOverdue(at: at("2026-03-20 10:00"), in: china))
    try clock.resume(at: at("2026-03-05 15:00"))
    #expect(try clock.deadline(in: china) == at("2026-03-12 14:00"))
    #expect(
      clock.pauses == [
        PauseInterval(start: at("2026-03-03 10:00"), end: at("2026-03-05 15:00"), reason: .awaitingSupplement, causedBy: .applicant)
      ]
    )
  }

  @Test("pause and resume in the wrong state or out of order are refused naming the state")
  func pauseErrors() throws {
    var clock = try self.fiveDays()
    #expect(throws: DomainError.illegalState(subject: "clock", state: "running", action: "resume", allowed: ["paused"])) {
      try clock.resume(at: at("2026-03-03 10:00"))
    }
    #expect(throws: DomainError.invalidField("at", "pause at \(at("2026-03-01 10:00")) is before \(at("2026-03-02 10:00"))")) {
      try clock.pause(at: at("2026-03-01 10:00"), reason: .hearing, causedBy: self.clerk)
    }
    try clock.pause(at: at("2026-03-03 10:00"), reason: .hearing, causedBy: self.clerk)
    #expect(throws: DomainError.illegalState(subject: "clock", state: "paused", action: "pause", allowed: ["running"])) {
      try clock.pause(at: at("2026-03-03 11:00"), reason: .hearing, causedBy: self.clerk)
    }
    #expect(throws: DomainError.invalidField("at", "resume at \(at("2026-03-03 09:00")) is before the pause at \(at("2026-03-03 10:00"))"))
    {
      try clock.resume(at: at("2026-03-03 09:00"))
    }
    #expect(throws: DomainError.invalidField("limit", "must be at least 1, got 0 working hours")) {
      try WorkClock(limit: .workingHours(0), start: at("2026-03-02 10:00"))
    }
  }

  @Test("approved extensions add working time to the limit")
  func extensions() throws {
    var clock = try self.fiveDays()
    let extension3 = ClockExtension(
      added: .workingDays(3),
      reason: "site visit",
      requestedBy: self.clerk,
      approvedBy: "sup-1",
      approvedAt: at("2026-03-05 10:00")
    )
    try clock.extend(extension3)
    #expect(try clock.deadline(in: china) == at("2026-03-12 17:30"))
    #expect(clock.totalSeconds(in: china) == 56 * hour)
    try clock.extend(
      ClockExtension(added: .workingHours(2), reason: "x", requestedBy: self.clerk, approvedBy: "sup-1", approvedAt: at("2026-03-05 11:00"))
    )
    #expect(try clock.deadline(in: china) == at("2026-03-13 11:00"))
    #expect(throws: DomainError.invalidField("added", "must be at least 1, got 0 working days")) {
      try clock.extend(
        ClockExtension(added: .workingDays(0), reason: "x", requestedBy: self.clerk, approvedBy: "s", approvedAt: at("2026-03-05 11:00"))
      )
    }
  }

  @Test("a stopped clock is frozen, closes an open pause and refuses further changes")
  func stop() throws {
    var clock = try self.fiveDays()
    try clock.pause(at: at("2026-03-03 10:00"), reason: .awaitingSupplement, causedBy: .applicant)
    try clock.stop(at: at("2026-03-04 10:00"))
    #expect(clock.stoppedAt == at("2026-03-04 10:00"))
    #expect(clock.pauses.last?.end == at("2026-03-04 10:00"))
    #expect(try clock.remainingSeconds(at: at("2026-04-01 10:00"), in: china) == 34 * hour)
    #expect(try !clock.isOverdue(at: at("2026-04-01 10:00"), in: china))
    let extension1 = ClockExtension(
      added: .workingDays(1),
      reason: "x",
      requestedBy: self.clerk,
      approvedBy: "s",
      approvedAt: at("2026-03-05 11:00")
    )
    #expect(throws: DomainError.illegalState(subject: "clock", state: "stopped", action: "extend", allowed: ["running", "paused"])) {
      try clock.extend(extension1)
    }
    #expect(throws: DomainError.illegalState(subject: "clock", state: "stopped", action: "stop", allowed: ["running", "paused"])) {
      try clock.stop(at: at("2026-03-05 10:00"))
    }
    #expect(throws: DomainError.illegalState(subject: "clock", state: "stopped", action: "pause", allowed: ["running"])) {
      try clock.pause(at: at("2026-03-05 10:00"), reason: .hearing, causedBy: .applicant)
    }
    var late = try self.fiveDays()
    #expect(try late.finishedOnTime(in: china) == nil)
    try late.stop(at: at("2026-03-10 09:30"))
    #expect(try late.isOverdue(at: at("2026-03-10 09:30"), in: china))
    #expect(try late.finishedOnTime(in: china) == false)
    #expect(try clock.finishedOnTime(in: china) == true)
    var exact = try self.fiveDays()
    try exact.stop(at: at("2026-03-09 17:30"))
    #expect(try exact.finishedOnTime(in: china) == true)
  }
}
