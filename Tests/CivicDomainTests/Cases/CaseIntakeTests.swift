import CivicDomain
import Testing

@Suite("Case intake and acceptance", .timeLimit(.minutes(1)))
struct CaseIntakeTests {
  @Test("submission records the item version, starts the promised clock and produces one event")
  func submit() throws {
    let change = try Case.submit(
      id: "C1",
      policy: .serviceApplication,
      item: published(residenceCertificate()),
      channel: .online,
      applicant: "applicant-1",
      provided: ["id-card"],
      at: at("2026-03-02 10:00"),
      by: .applicant
    )
    #expect(change.case.state == .submitted)
    #expect(change.case.version == 1)
    #expect(change.case.item == ItemRef(code: "RES-CERT", version: 1))
    #expect(change.case.materials.missing == ["hukou", "photo"])
    #expect(try change.case.clock?.deadline(in: china) == at("2026-03-09 17:30"))
    #expect(
      change.events == [
        TimelineEvent(at: at("2026-03-02 10:00"), by: .applicant, kind: .submitted(item: change.case.item, channel: .online))
      ]
    )
  }

  @Test("submission is refused for a channel the item does not allow or a missing applicant")
  func submitErrors() throws {
    let item = try published(residenceCertificate())
    #expect(throws: DomainError.invalidField("channel", "mobile is not an intake channel of item RES-CERT v1")) {
      try Case.submit(
        id: "C1",
        policy: .serviceApplication,
        item: item,
        channel: .mobile,
        applicant: "a",
        provided: [],
        at: at("2026-03-02 10:00"),
        by: clerk
      )
    }
    #expect(throws: DomainError.invalidField("applicant", "must not be empty")) {
      try Case.submit(
        id: "C1",
        policy: .serviceApplication,
        item: item,
        channel: .window,
        applicant: "",
        provided: [],
        at: at("2026-03-02 10:00"),
        by: clerk
      )
    }
  }

  @Test("accept moves submitted to accepted, raises the version and records the state change")
  func accept() throws {
    let change = try submitted().run(.accept, "2026-03-02 10:15")
    #expect(change.case.state == .accepted)
    #expect(change.case.version == 2)
    #expect(
      change.events == [
        TimelineEvent(at: at("2026-03-02 10:15"), by: clerk, kind: .stateChanged(from: .submitted, to: .accepted, action: .accept))
      ]
    )
  }

  @Test("accept with materials missing is refused naming them")
  func acceptMissing() throws {
    #expect(throws: DomainError.precondition("case C1", "materials hukou, photo are missing; accept needs none missing")) {
      try submitted(provided: ["id-card"]).run(.accept, "2026-03-02 10:15")
    }
  }

  @Test("补正: asks for everything missing at once, pauses the clock; the supplement resumes it and moves the deadline")
  func supplement() throws {
    let asked = try submitted(provided: ["id-card"]).run(.requestSupplement, "2026-03-03 10:00")
    #expect(asked.case.state == .awaitingSupplement)
    #expect(asked.case.clock?.isPaused == true)
    #expect(
      asked.events.map(\.kind) == [
        .supplementRequested(missing: ["hukou", "photo"]), .clockPaused(.awaitingSupplement),
        .stateChanged(from: .submitted, to: .awaitingSupplement, action: .requestSupplement),
      ]
    )
    #expect(asked.case.clock?.pauses.first?.causedBy == .applicant)
    let supplied = try asked.case.run(.supplement(provided: ["hukou", "photo"]), "2026-03-05 15:00", by: .applicant)
    #expect(supplied.case.state == .submitted)
    #expect(
      supplied.events.map(\.kind) == [
        .materialsProvided(["hukou", "photo"]), .clockResumed,
        .stateChanged(from: .awaitingSupplement, to: .submitted, action: .supplement),
      ]
    )
    // 17.5 working hours paused: the same deadline as the calendar table works out.
    #expect(try supplied.case.clock?.deadline(in: china) == at("2026-03-12 14:00"))
    #expect(try supplied.case.run(.accept, "2026-03-05 15:10").case.state == .accepted)
  }

  @Test("a supplement cannot be requested when nothing is missing")
  func supplementNothingMissing() throws {
    #expect(throws: DomainError.precondition("case C1", "no material is missing; requestSupplement needs something missing")) {
      try submitted().run(.requestSupplement, "2026-03-02 10:15")
    }
  }

  @Test("容缺: accepted with only the photo missing; delivery waits until it arrives")
  func acceptWithMissing() throws {
    let accepted = try submitted(provided: ["id-card", "hukou"]).run(
      .acceptWithMissingMaterials(dueBy: day("2026-03-06")),
      "2026-03-02 10:15"
    )
    #expect(accepted.case.state == .acceptedPendingMaterials)
    #expect(accepted.case.missingMaterialsDueBy == day("2026-03-06"))
    #expect(accepted.events.first?.kind == .acceptedWithMissingMaterials(missing: ["photo"], dueBy: day("2026-03-06")))
    var done = try accepted.case.run(.dispatch, "2026-03-02 10:30").case
    done = try done.approved(1, "2026-03-03 10:00").approved(2, "2026-03-03 11:00").approved(3, "2026-03-04 10:00")
    #expect(done.state == .completed)
    #expect(throws: DomainError.precondition("case C1", "materials photo are still missing; deliver needs them supplied")) {
      try done.run(.deliver(.mail), "2026-03-04 11:00")
    }
    let supplied = try done.run(.supplyMissingMaterials(provided: ["photo"]), "2026-03-04 11:00", by: .applicant).case
    #expect(supplied.missingMaterialsDueBy == nil)
    #expect(try supplied.run(.deliver(.mail), "2026-03-04 11:30").case.state == .delivered)
  }

  @Test("容缺 is refused when nothing is missing or a material that may not be missing is")
  func acceptWithMissingErrors() throws {
    #expect(throws: DomainError.precondition("case C1", "no material is missing; use accept")) {
      try submitted().run(.acceptWithMissingMaterials(dueBy: day("2026-03-06")), "2026-03-02 10:15")
    }
    #expect(throws: DomainError.precondition("case C1", "materials hukou, photo include some that may not be missing at acceptance")) {
      try submitted(provided: ["id-card"]).run(.acceptWithMissingMaterials(dueBy: day("2026-03-06")), "2026-03-02 10:15")
    }
    let pending = try submitted(provided: ["id-card", "hukou"]).run(
      .acceptWithMissingMaterials(dueBy: day("2026-03-06")),
      "2026-03-02 10:15"
    ).case
    #expect(throws: DomainError.precondition("case C1", "materials photo are still missing")) {
      try pending.run(.supplyMissingMaterials(provided: []), "2026-03-03 10:00")
    }
    #expect(try pending.run(.supplyMissingMaterials(provided: ["photo"]), "2026-03-03 10:00").case.state == .accepted)
  }

  @Test("不予受理: refusal needs a reason, stops the clock and is final")
  func refuse() throws {
    #expect(throws: DomainError.invalidField("reason", "must not be empty")) {
      try submitted().run(.refuse(reason: " "), "2026-03-02 10:15")
    }
    let refused = try submitted().run(.refuse(reason: "not resident in the district"), "2026-03-02 10:15")
    #expect(refused.case.state == .refused)
    #expect(refused.case.refusalReason == "not resident in the district")
    #expect(refused.case.clock?.stoppedAt == at("2026-03-02 10:15"))
    #expect(
      refused.events.map(\.kind) == [
        .refused(reason: "not resident in the district"), .clockStopped, .stateChanged(from: .submitted, to: .refused, action: .refuse),
      ]
    )
    #expect(throws: DomainError.illegalState(subject: "case C1", state: "refused", action: "accept", allowed: ["submitted"])) {
      try refused.case.run(.accept, "2026-03-02 10:20")
    }
  }

  @Test("an applicant who never supplements can be refused; the open pause closes with the clock")
  func refuseWhileWaiting() throws {
    let waiting = try submitted(provided: []).run(.requestSupplement, "2026-03-02 10:15").case
    let refused = try waiting.run(.refuse(reason: "no supplement within 30 days"), "2026-04-15 10:00").case
    #expect(refused.state == .refused)
    #expect(refused.clock?.pauses.last?.end == at("2026-04-15 10:00"))
  }

  @Test("a stale version is rejected naming the current version")
  func staleVersion() throws {
    let accepted = try submitted().run(.accept, "2026-03-02 10:15").case
    #expect(throws: DomainError.staleVersion(subject: "case C1", expected: 1, current: 2)) {
      try accepted.applying(.dispatch, expectedVersion: 1, policy: .serviceApplication, at: at("2026-03-02 10:30"), by: clerk)
    }
    #expect(
      DomainError.staleVersion(subject: "case C1", expected: 1, current: 2).description
        == "case C1 is at version 2, not 1; reload and retry"
    )
  }

  @Test("即办件: an immediate item has no clock and completes at the window; it cannot be dispatched")
  func immediate() throws {
    let accepted = try submitted(provided: ["id-card"], item: elderlyCard()).run(.accept, "2026-03-02 10:05").case
    #expect(accepted.clock == nil)
    #expect(throws: DomainError.precondition("case C1", "has no stages; dispatch needs a promised item")) {
      try accepted.run(.dispatch, "2026-03-02 10:06")
    }
    let done = try accepted.run(.completeAtWindow(opinion: "issued"), "2026-03-02 10:10")
    #expect(done.case.state == .completed)
    #expect(done.case.result == .approved(opinions: [TaskOpinion(task: 0, unit: "centre", approved: true, opinion: "issued")]))
    #expect(throws: DomainError.precondition("case C1", "is a promised item; completeAtWindow needs an immediate item")) {
      try submitted().run(.accept, "2026-03-02 10:05").case.run(.completeAtWindow(opinion: "x"), "2026-03-02 10:10")
    }
  }
}
