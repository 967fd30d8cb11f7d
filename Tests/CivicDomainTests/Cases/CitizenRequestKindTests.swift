import CivicDomain
import Testing

/// The citizen request kind as pure values: its table, each command and its refusal, the
/// rejection rule (the same tier once, then the next), the overdue hook, and declared events.
@Suite("Citizen request kind", .timeLimit(.minutes(1)))
struct CitizenRequestKindTests {
  static let kind = CitizenRequestKind.citizenRequest
  static let receiver = Party.staff("clerk-1", unit: "CTR")
  static let ladder = [
    RequestLadder.Step(tier: .grid, unit: "G01", workingDays: 2),
    RequestLadder.Step(tier: .community, unit: "C01", workingDays: 3),
    RequestLadder.Step(tier: .district, unit: "HUD", workingDays: 5),
  ]

  static func received(_ ladder: [RequestLadder.Step] = ladder) throws -> CaseChange {
    try Case.receiveRequest(id: "C1", applicant: "Li Na", channel: .hotline, ladder: ladder, at: at("2026-03-02 10:00"), by: receiver)
  }

  static func run(_ value: Case, _ command: CitizenRequestCommand, _ time: String = "2026-03-02 12:00", by party: Party) throws
    -> CaseChange
  {
    try value.applying(command, of: kind, expectedVersion: value.version, at: at(time), by: party)
  }

  @Test("intake routes at once: state atTier, one task at the lowest tier on its limit, registered as citizenRequest")
  func intake() throws {
    let change = try Self.received()
    let value = change.case
    #expect(value.kind == "citizenRequest")
    #expect(value.state == .atTier)
    #expect(value.tasks.count == 1)
    #expect(value.tasks[0].unit == "G01")
    #expect(value.tasks[0].clock.limit == .workingDays(2))
    #expect(value.plan?.stages.map(\.units) == [["G01"], ["C01"], ["HUD"]])
    #expect(change.events.map(\.kind.name) == ["submitted", "stateChanged", "stageOpened", "taskCreated"])
    #expect(CaseKinds.named("citizenRequest")?.name == "citizenRequest")
    #expect(throws: DomainError.invalidField("category", "routes to no tier")) { try Self.received([]) }
  }

  @Test("the table: reply from atTier, confirm or reject from replied, return visit only once closed")
  func table() throws {
    let policy = CasePolicy.citizenRequest
    #expect(policy.allows(.reply, from: .atTier))
    #expect(policy.allows(.escalate, from: .atTier))
    #expect(!policy.allows(.escalate, from: .replied))
    #expect(!policy.allows(.confirm, from: .atTier))
    #expect(policy.allows(.rejectReply, from: .replied))
    #expect(!policy.allows(.returnVisit, from: .atTier))
    #expect(policy.allows(.returnVisit, from: .completed))
    #expect(Self.kind.endStates == [.completed, .unresolved])
    #expect(Self.kind.indicators == IndicatorContribution.none)
  }

  @Test("reply closes the tier's task approved and its clock; confirm completes with the tier's answer")
  func replyThenConfirm() throws {
    let value = try Self.received().case
    let replied = try Self.run(value, .reply(text: "the noise was stopped"), by: handler("G01"))
    #expect(replied.case.state == .replied)
    #expect(replied.case.tasks[0].state == .approved)
    #expect(replied.case.tasks[0].clock.stoppedAt == at("2026-03-02 12:00"))
    let confirmed = try Self.run(replied.case, .confirm(note: ""), "2026-03-03 10:00", by: Self.receiver)
    #expect(confirmed.case.state == .completed)
    #expect(
      confirmed.case.result == .approved(opinions: [TaskOpinion(task: 1, unit: "G01", approved: true, opinion: "the noise was stopped")])
    )
    #expect(!Self.kind.isOpen(confirmed.case.state))
    let visited = try Self.run(confirmed.case, .returnVisit(satisfied: true, note: "thanks"), "2026-03-04 10:00", by: Self.receiver)
    #expect(visited.case.state == .completed)
    #expect(visited.events.map(\.kind.name) == ["returnVisited"])
  }

  @Test("every refusal names what is wrong: reply when replied, confirm when at a tier, empty reply, escalation at the top tier")
  func refusals() throws {
    let value = try Self.received().case
    #expect(throws: DomainError.illegalState(subject: "case C1", state: "atTier", action: "confirm", allowed: ["replied"])) {
      try Self.run(value, .confirm(note: ""), by: Self.receiver)
    }
    #expect(throws: DomainError.invalidField("reply", "must not be empty")) { try Self.run(value, .reply(text: "  "), by: handler("G01")) }
    #expect(throws: DomainError.invalidField("reason", "must not be empty")) {
      try Self.run(value, .escalate(reason: ""), by: handler("G01"))
    }
    let replied = try Self.run(value, .reply(text: "done"), by: handler("G01")).case
    #expect(throws: DomainError.illegalState(subject: "case C1", state: "replied", action: "reply", allowed: ["atTier"])) {
      try Self.run(replied, .reply(text: "again"), by: handler("G01"))
    }
    #expect(
      throws: DomainError.illegalState(subject: "case C1", state: "replied", action: "returnVisit", allowed: ["completed", "unresolved"])
    ) {
      try Self.run(replied, .returnVisit(satisfied: true, note: ""), by: Self.receiver)
    }
    var top = try Self.run(value, .escalate(reason: "needs the community"), by: handler("G01")).case
    top = try Self.run(top, .escalate(reason: "needs the department"), by: handler("C01")).case
    #expect(throws: DomainError.precondition("case C1", "is at its top tier (HUD); there is no tier to escalate to")) {
      try Self.run(top, .escalate(reason: "again"), by: handler("HUD"))
    }
    #expect(throws: DomainError.staleVersion(subject: "case C1", expected: 1, current: value.version)) {
      try value.applying(
        CitizenRequestCommand.reply(text: "x"),
        of: Self.kind,
        expectedVersion: 1,
        at: at("2026-03-02 12:00"),
        by: handler("G01")
      )
    }
  }

  @Test("escalation closes the failing tier's task denied with the reason and opens the next tier on its own limit")
  func escalation() throws {
    let value = try Self.received().case
    let escalated = try Self.run(value, .escalate(reason: "a building issue"), by: handler("G01"))
    #expect(escalated.case.state == .atTier)
    #expect(escalated.case.tasks[0].state == .denied)
    #expect(escalated.case.tasks[0].opinion == "escalated: a building issue")
    #expect(escalated.case.tasks[1].unit == "C01")
    #expect(escalated.case.tasks[1].clock.limit == .workingDays(3))
    #expect(escalated.case.currentStage == 1)
    #expect(escalated.events.map(\.kind.name) == ["taskDenied", "stageOpened", "taskCreated"])
  }

  @Test("a rejected reply reopens at the same tier once, then escalates; at the top tier the second rejection closes it unresolved")
  func rejection() throws {
    var value = try Self.received([Self.ladder[0], Self.ladder[2]]).case
    value = try Self.run(value, .reply(text: "first answer"), by: handler("G01")).case
    #expect(value.rejection(reason: "not fixed") == .rejectReply(reason: "not fixed"))
    let reopened = try Self.run(value, value.rejection(reason: "not fixed"), by: Self.receiver)
    #expect(reopened.case.state == .atTier)
    #expect(reopened.case.tasks.map(\.unit) == ["G01", "G01"])
    #expect(reopened.case.currentStage == 0)
    #expect(reopened.events.map(\.kind.name) == ["refused", "stageOpened", "taskCreated", "stateChanged"])
    value = try Self.run(reopened.case, .reply(text: "second answer"), by: handler("G01")).case
    let escalated = try Self.run(value, value.rejection(reason: "still not fixed"), by: Self.receiver).case
    #expect(escalated.tasks.map(\.unit) == ["G01", "G01", "HUD"])
    #expect(escalated.currentStage == 1)
    value = try Self.run(escalated, .reply(text: "department answer"), by: handler("HUD")).case
    value = try Self.run(value, value.rejection(reason: "no"), by: Self.receiver).case
    #expect(value.tasks.map(\.unit) == ["G01", "G01", "HUD", "HUD"], "the top tier is reopened once too")
    value = try Self.run(value, .reply(text: "final answer"), by: handler("HUD")).case
    #expect(value.rejection(reason: "no") == .closeUnresolved(reason: "no"))
    #expect(throws: DomainError.precondition("case C1", "was already reopened at its top tier; a rejection now closes it unresolved")) {
      try Self.run(value, .rejectReply(reason: "no"), by: Self.receiver)
    }
    let closed = try Self.run(value, value.rejection(reason: "no"), by: Self.receiver).case
    #expect(closed.state == .unresolved)
    #expect(!Self.kind.isOpen(closed.state))
    if case .denied(let opinions) = closed.result {
      #expect(opinions.count == 4)
    } else {
      Issue.record("not denied: \(String(describing: closed.result))")
    }
  }

  @Test("the overdue hook: the open task below the top escalates as the system; the top tier, a closed task and other kinds give none")
  func overdueHook() throws {
    let value = try Self.received().case
    let change = try #require(try value.overdueChange(of: Self.kind, task: 1, at: at("2026-03-05 10:00")))
    #expect(change.case.tasks[1].unit == "C01")
    #expect(change.events.allSatisfy { $0.by == .system })
    #expect(change.case.tasks[0].opinion?.hasPrefix("escalated: time ran out at tier 1") == true)
    var top = try Self.run(value, .escalate(reason: "x"), by: handler("G01")).case
    top = try Self.run(top, .escalate(reason: "y"), by: handler("C01")).case
    #expect(try top.overdueChange(of: Self.kind, task: 3, at: at("2026-03-20 10:00")) == nil)
    #expect(try top.overdueChange(of: Self.kind, task: 1, at: at("2026-03-20 10:00")) == nil, "a closed task")
    #expect(try value.overdueChange(of: RectificationKind.rectification, task: 1, at: at("2026-03-05 10:00")) == nil)
  }

  @Test("every event the kind's commands emit is declared")
  func declaredEvents() throws {
    var value = try Self.received().case
    var events = try Self.received().events
    for (command, party) in [
      (CitizenRequestCommand.escalate(reason: "x"), handler("G01")), (.reply(text: "a"), handler("C01")),
      (.rejectReply(reason: "r"), Self.receiver), (.reply(text: "b"), handler("C01")), (.confirm(note: "ok"), Self.receiver),
      (.returnVisit(satisfied: false, note: "meh"), Self.receiver),
    ] {
      let change = try Self.run(value, command, by: party)
      events += change.events
      value = change.case
    }
    for event in events { #expect(Self.kind.timelineEvents.contains(event.kind.name), "emitted \(event.kind.name)") }
  }
}
