import CivicDomain
import Testing

@Suite("Joint processing: stages and tasks", .timeLimit(.minutes(1)))
struct JointProcessingTests {
  let police = handler("police")
  let civil = handler("civil-affairs")
  let township = handler("township")

  @Test("dispatch opens the first stage: one task per unit, each on a clock of the stage's share")
  func dispatch() throws {
    let accepted = try submitted().run(.accept, "2026-03-02 10:15").case
    let change = try accepted.run(.dispatch, "2026-03-02 10:30")
    #expect(change.case.state == .inProcessing)
    #expect(change.case.currentStage == 0)
    #expect(change.case.tasks.map(\.unit) == ["police", "civil-affairs"])
    #expect(change.case.tasks.map(\.state) == [.pending, .pending])
    #expect(try change.case.task(1).clock.deadline(in: china) == at("2026-03-04 17:30"))
    #expect(
      change.events.map(\.task) == [nil, 1, 2, nil]
        && change.events.map(\.kind) == [
          .stageOpened(stage: 0), .taskCreated(unit: "police", limit: .workingDays(2)),
          .taskCreated(unit: "civil-affairs", limit: .workingDays(2)),
          .stateChanged(from: .accepted, to: .inProcessing, action: .dispatch),
        ]
    )
    // A two-day task (14 h) is yellow with one day left: from close on Tuesday.
    #expect(
      try change.case.task(1).clock.warning(at: at("2026-03-03 10:00"), in: china)
        == WarningStatus(level: .green, nextChange: at("2026-03-03 17:30"))
    )
  }

  @Test("the next stage opens only when every task of the stage is finished; the last completes the case approved")
  func stagesInOrder() throws {
    var c = try submitted().dispatched()
    c = try c.approved(1, "2026-03-03 10:00")
    #expect(c.currentStage == 0)
    #expect(c.version == 3)
    #expect(try c.task(1).version == 3)
    #expect(try c.task(1).clock.stoppedAt == at("2026-03-03 10:00"))
    let claimed = try c.run(.claim, task: 2, "2026-03-03 11:00", by: self.civil).case
    let second = try claimed.run(.approve(opinion: "ok 2"), task: 2, "2026-03-03 11:00", by: self.civil)
    #expect(
      second.events.map(\.kind) == [
        .taskApproved(opinion: "ok 2"), .stageOpened(stage: 1), .taskCreated(unit: "township", limit: .workingDays(3)),
      ]
    )
    #expect(second.case.version == 4)
    #expect(second.case.currentTasks.map(\.number) == [3])
    #expect(try second.case.task(3).clock.deadline(in: china) == at("2026-03-06 17:30"))
    let last = try second.case.run(.claim, task: 3, "2026-03-04 10:00", by: self.township).case.run(
      .approve(opinion: "ok 3"),
      task: 3,
      "2026-03-04 10:00",
      by: self.township
    )
    let opinions = [
      TaskOpinion(task: 1, unit: "police", approved: true, opinion: "ok 1"),
      TaskOpinion(task: 2, unit: "civil-affairs", approved: true, opinion: "ok 2"),
      TaskOpinion(task: 3, unit: "township", approved: true, opinion: "ok 3"),
    ]
    #expect(
      last.events.map(\.kind) == [
        .taskApproved(opinion: "ok 3"), .clockStopped, .completed(.approved(opinions: opinions)),
        .stateChanged(from: .inProcessing, to: .completed, action: .complete),
      ]
    )
    #expect(last.case.result == .approved(opinions: opinions))
    #expect(last.case.clock?.stoppedAt == at("2026-03-04 10:00"))
    #expect(try last.case.clock?.isOverdue(at: at("2026-12-01 10:00"), in: china) == false)
    let delivered = try last.case.run(.deliver(.pickup), "2026-03-04 15:00")
    #expect(delivered.case.state == .delivered)
    #expect(delivered.case.delivery == .pickup)
  }

  @Test("a denial completes the case once its stage finishes, with every unit's opinion; later stages never open")
  func denial() throws {
    var c = try submitted().dispatched()
    c = try c.run(.claim, task: 1, "2026-03-03 10:00", by: self.police).case.run(
      .deny(opinion: "not registered at this address"),
      task: 1,
      "2026-03-03 10:00",
      by: self.police
    ).case
    #expect(c.state == .inProcessing)
    c = try c.approved(2, "2026-03-03 11:00")
    #expect(c.state == .completed)
    #expect(c.tasks.count == 2)
    #expect(
      c.result
        == .denied(opinions: [
          TaskOpinion(task: 1, unit: "police", approved: false, opinion: "not registered at this address"),
          TaskOpinion(task: 2, unit: "civil-affairs", approved: true, opinion: "ok 2"),
        ])
    )
  }

  @Test("task commands in the wrong state, by the wrong person or with a stale version are refused with a precise error")
  func taskErrors() throws {
    let c = try submitted().dispatched()
    #expect(throws: DomainError.notFound("task 1 of case C1")) { try c.run(.claim, task: 1, "2026-03-03 10:00", by: self.civil) }
    #expect(throws: DomainError.notFound("task 9 of case C1")) { try c.run(.claim, task: 9, "2026-03-03 10:00", by: self.civil) }
    #expect(throws: DomainError.notFound("task 0 of case C1")) { try c.run(.claim, task: 0, "2026-03-03 10:00", by: self.civil) }
    #expect(throws: DomainError.notFound("task 1 of case C1")) { try submitted().run(.claim, task: 1, "2026-03-03 10:00", by: self.police) }
    #expect(throws: DomainError.invalidField("by", "task commands need a member of staff")) {
      try c.applying(.claim, toTask: 1, expectedVersion: 1, policy: .serviceApplication, at: at("2026-03-03 10:00"), by: .applicant)
    }
    #expect(throws: DomainError.illegalState(subject: "task 1", state: "pending", action: "approve", allowed: ["claimed"])) {
      try c.run(.approve(opinion: "ok"), task: 1, "2026-03-03 10:00", by: self.police)
    }
    let claimed = try c.run(.claim, task: 1, "2026-03-03 10:00", by: self.police).case
    #expect(throws: DomainError.illegalState(subject: "task 1", state: "claimed", action: "claim", allowed: ["pending"])) {
      try claimed.run(.claim, task: 1, "2026-03-03 10:01", by: handler("police", 2))
    }
    #expect(throws: DomainError.precondition("task 1", "is claimed by police-h1; approve needs its handler")) {
      try claimed.run(.approve(opinion: "ok"), task: 1, "2026-03-03 10:05", by: handler("police", 2))
    }
    #expect(throws: DomainError.staleVersion(subject: "task 1", expected: 1, current: 2)) {
      try claimed.applying(
        .approve(opinion: "ok"),
        toTask: 1,
        expectedVersion: 1,
        policy: .serviceApplication,
        at: at("2026-03-03 10:05"),
        by: self.police
      )
    }
    #expect(throws: DomainError.invalidField("opinion", "must not be empty")) {
      try claimed.run(.deny(opinion: ""), task: 1, "2026-03-03 10:05", by: self.police)
    }
    let approved = try claimed.run(.approve(opinion: "ok"), task: 1, "2026-03-03 10:05", by: self.police).case
    let error = #expect(throws: DomainError.self) { try approved.run(.claim, task: 1, "2026-03-03 10:06", by: self.police) }
    #expect(error?.description == "task 1 is approved; claim needs state pending")
  }

  @Test("return to the previous stage reopens it with new tasks and only the latest decisions count")
  func returnToPreviousStage() throws {
    let inStage1 = try submitted().dispatched().approved(1, "2026-03-03 10:00").approved(2, "2026-03-03 11:00")
    let claimed = try inStage1.run(.claim, task: 3, "2026-03-04 10:00", by: self.township).case
    let returned = try claimed.run(.returnToPreviousStage(reason: "address mismatch"), task: 3, "2026-03-04 10:00", by: self.township)
    #expect(try returned.case.task(3).state == .returned)
    #expect(returned.case.currentStage == 0)
    #expect(returned.case.currentTasks.map(\.number) == [4, 5])
    #expect(returned.case.version == claimed.version + 1)
    #expect(
      returned.events.map(\.kind) == [
        .taskReturned(toStage: 0, reason: "address mismatch"), .stageOpened(stage: 0), .taskCreated(unit: "police", limit: .workingDays(2)),
        .taskCreated(unit: "civil-affairs", limit: .workingDays(2)),
      ]
    )
    #expect(try returned.case.task(4).clock.deadline(in: china) == at("2026-03-06 17:30"))
    let done = try returned.case.approved(4, "2026-03-05 10:00").approved(5, "2026-03-05 10:00").approved(6, "2026-03-05 11:00")
    #expect(done.result.map { if case .approved(let opinions) = $0 { opinions.map(\.task) } else { [] } } == [4, 5, 6])
    #expect(throws: DomainError.precondition("task 1", "is in the first stage; return needs a previous stage")) {
      try submitted().dispatched().run(.claim, task: 1, "2026-03-03 10:00", by: self.police).case.run(
        .returnToPreviousStage(reason: "x"),
        task: 1,
        "2026-03-03 10:00",
        by: self.police
      )
    }
  }

  @Test("a return withdraws the other open tasks of its stage")
  func returnWithdraws() throws {
    var definition = residenceCertificate()
    definition.stages[1] = ItemStage(units: ["township", "housing"], workingDays: 3)
    let inStage1 = try submitted(item: definition).dispatched().approved(1, "2026-03-03 10:00").approved(2, "2026-03-03 11:00")
    let returned = try inStage1.run(.claim, task: 3, "2026-03-04 10:00", by: self.township).case.run(
      .returnToPreviousStage(reason: "address mismatch"),
      task: 3,
      "2026-03-04 10:00",
      by: self.township
    )
    #expect(try returned.case.task(4).state == .withdrawn)
    #expect(try returned.case.task(4).version == 2)
    #expect(try returned.case.task(4).clock.stoppedAt == at("2026-03-04 10:00"))
    #expect(returned.events.map(\.task).prefix(2) == [3, 4])
    #expect(returned.events[1].kind == .taskWithdrawn)
    #expect(returned.case.currentTasks.map(\.number) == [5, 6])
  }

  @Test("transfer hands a task to another unit with its clock; a reopened stage goes to the new unit")
  func transfer() throws {
    let c = try submitted().dispatched()
    let moved = try c.run(.transfer(to: "social-security", reason: "wrong department"), task: 2, "2026-03-03 09:30", by: self.civil)
    #expect(moved.events.map(\.kind) == [.taskTransferred(from: "civil-affairs", to: "social-security", reason: "wrong department")])
    #expect(try moved.case.task(2).unit == "social-security")
    #expect(try moved.case.task(2).clock == c.task(2).clock)
    #expect(moved.case.version == c.version)
    #expect(throws: DomainError.notFound("task 2 of case C1")) { try moved.case.run(.claim, task: 2, "2026-03-03 10:00", by: self.civil) }
    #expect(throws: DomainError.invalidField("to", "is already the task's unit social-security")) {
      try moved.case.run(.transfer(to: "social-security", reason: "x"), task: 2, "2026-03-03 10:00", by: handler("social-security"))
    }
    let claimed = try moved.case.run(.claim, task: 2, "2026-03-03 10:00", by: handler("social-security")).case
    #expect(throws: DomainError.precondition("task 2", "is claimed by social-security-h1; transfer needs its handler")) {
      try claimed.run(.transfer(to: "civil-affairs", reason: "x"), task: 2, "2026-03-03 10:00", by: handler("social-security", 2))
    }
    let inStage1 = try moved.case.approved(1, "2026-03-03 10:00").approved(2, "2026-03-03 11:00")
    let returned = try inStage1.run(.claim, task: 3, "2026-03-04 10:00", by: self.township).case.run(
      .returnToPreviousStage(reason: "x"),
      task: 3,
      "2026-03-04 10:00",
      by: self.township
    )
    #expect(returned.case.currentTasks.map(\.unit) == ["police", "social-security"])
  }

  @Test("an extension is requested by the handler and decided by a supervisor; approval extends the task and the case")
  func extensions() throws {
    let claimed = try submitted().dispatched().run(.claim, task: 1, "2026-03-03 09:00", by: self.police).case
    #expect(throws: DomainError.invalidField("added", "must be at least 1, got 0 working days")) {
      try claimed.run(.requestExtension(.workingDays(0), reason: "x"), task: 1, "2026-03-03 10:00", by: self.police)
    }
    #expect(throws: DomainError.precondition("task 1", "has no extension request to decide")) {
      try claimed.run(.decideExtension(approve: true, note: ""), task: 1, "2026-03-03 10:00", by: supervisor)
    }
    let requested = try claimed.run(.requestExtension(.workingDays(2), reason: "site visit"), task: 1, "2026-03-03 10:00", by: self.police)
      .case
    #expect(try requested.task(1).pendingExtension?.added == .workingDays(2))
    #expect(throws: DomainError.precondition("task 1", "already has an extension request waiting for a decision")) {
      try requested.run(.requestExtension(.workingDays(1), reason: "again"), task: 1, "2026-03-03 10:05", by: self.police)
    }
    #expect(throws: DomainError.precondition("task 1", "an extension cannot be decided by the handler who asked for it")) {
      try requested.run(.decideExtension(approve: true, note: ""), task: 1, "2026-03-03 10:30", by: self.police)
    }
    #expect(throws: DomainError.invalidField("note", "must not be empty")) {
      try requested.run(.decideExtension(approve: false, note: ""), task: 1, "2026-03-03 11:00", by: supervisor)
    }
    let rejected = try requested.run(.decideExtension(approve: false, note: "no reason given"), task: 1, "2026-03-03 11:00", by: supervisor)
      .case
    #expect(try rejected.task(1).pendingExtension == nil)
    #expect(try rejected.task(1).clock.deadline(in: china) == at("2026-03-04 17:30"))
    let approved = try requested.run(.decideExtension(approve: true, note: ""), task: 1, "2026-03-03 11:00", by: supervisor)
    #expect(
      approved.events.map(\.kind) == [
        .extensionDecided(approved: true, note: ""), .clockExtended(.workingDays(2)), .clockExtended(.workingDays(2)),
      ]
    )
    #expect(approved.events.map(\.task) == [1, 1, nil])
    #expect(try approved.case.task(1).clock.deadline(in: china) == at("2026-03-06 17:30"))
    #expect(try approved.case.task(1).clock.extensions.first?.approvedBy == "sup-1")
    #expect(try approved.case.clock?.deadline(in: china) == at("2026-03-11 17:30"))
    #expect(approved.case.version == requested.version + 1)
    let finished = try requested.run(.approve(opinion: "ok"), task: 1, "2026-03-03 12:00", by: self.police).case
    #expect(try finished.task(1).pendingExtension == nil)
  }
}
