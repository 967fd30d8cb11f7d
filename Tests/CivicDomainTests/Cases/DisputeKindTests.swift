import CivicDomain
import Testing

/// The dispute kind as pure values: its table, each command and its refusal, the round's end
/// (escalated or concluded), closing, and the events it declares.
@Suite("Dispute kind", .timeLimit(.minutes(1)))
struct DisputeKindTests {
  static let clerk = Party.staff("clerk-1", unit: "centre")
  static let mediator = Party.staff("med-1", unit: "committee")

  static func registered() throws -> Case {
    try Case.openDispute(id: "C9", title: "Wang Fang", intake: .window, at: at("2026-03-02 09:00"), by: clerk).case
  }

  static func routed(_ units: [UnitID] = ["committee", "dept"]) throws -> Case {
    let dispute = try registered()
    let routes = units.map { DisputeRoute(channel: .peoplesMediation, unit: $0) }
    return try dispute.applying(.review(routes: routes, limit: .workingDays(10)), expectedVersion: dispute.version, at: at("2026-03-02 10:00"), by: clerk).case
  }

  static func outcome(_ dispute: Case, _ task: Int, _ outcome: ChannelOutcome, _ when: String = "2026-03-03 10:00") throws -> CaseChange {
    try dispute.applying(.recordOutcome(task: task, outcome: outcome, detail: "terms"), expectedVersion: dispute.version, at: at(when), by: mediator)
  }

  @Test("its table: intake registers, reviews route from registered or escalated, close ends it from every open state")
  func table() throws {
    let policy = CasePolicy.dispute
    #expect(policy.initial == .registered)
    #expect(policy.allows(.review, from: .registered))
    #expect(policy.allows(.review, from: .escalated))
    #expect(!policy.allows(.review, from: .mediating))
    #expect(!policy.allows(.recordOutcome, from: .registered))
    #expect(!policy.allows(.complete, from: .mediating))
    for state in [CaseState.registered, .mediating, .escalated, .concluded] { #expect(policy.allows(.close, from: state)) }
    #expect(DisputeKind.dispute.endStates == [.closed])
    #expect(CaseKinds.named("dispute")?.indicators == IndicatorContribution.none)
    let opened = try Self.registered()
    #expect(opened.kind == "dispute" && opened.state == .registered && opened.clock == nil && opened.tasks.isEmpty)
  }

  @Test("a review opens one task per route on the review's limit, as one stage")
  func review() throws {
    let dispute = try Self.routed()
    #expect(dispute.state == .mediating)
    #expect(dispute.tasks.map(\.unit) == ["committee", "dept"])
    #expect(dispute.tasks.allSatisfy { $0.state == .pending && $0.clock.limit == .workingDays(10) })
    #expect(dispute.currentStage == 0)
  }

  @Test("a route with its own working days gives its task that limit; a route without keeps the review's")
  func routeLimits() throws {
    let dispute = try Self.registered()
    let routes = [
      DisputeRoute(channel: .peoplesMediation, unit: "committee", limit: .workingDays(3)),
      DisputeRoute(channel: .administrativeMediation, unit: "dept"),
      DisputeRoute(channel: .legalAid, unit: "aid", limit: .workingDays(20)),
    ]
    let change = try dispute.applying(.review(routes: routes, limit: .workingDays(10)), expectedVersion: 1, at: at("2026-03-02 10:00"), by: Self.clerk)
    #expect(change.case.tasks.map(\.clock.limit) == [.workingDays(3), .workingDays(10), .workingDays(20)])
    #expect(change.case.plan?.stages.last?.taskLimits == [.workingDays(3), .workingDays(10), .workingDays(20)])
    let created = change.events.compactMap { event -> WorkingLimit? in
      if case .taskCreated(_, let limit) = event.kind { return limit } else { return nil }
    }
    #expect(created == [.workingDays(3), .workingDays(10), .workingDays(20)], "the timeline says each task's own limit")
    // Without any route limit the plan carries none: every task is on the review's limit.
    let plain = try Self.routed()
    #expect(plain.plan?.stages.last?.taskLimits == nil)
    #expect(plain.tasks.allSatisfy { $0.clock.limit == .workingDays(10) })
    for days in [0, 61] {
      let bad = [DisputeRoute(channel: .legalAid, unit: "aid"), DisputeRoute(channel: .peoplesMediation, unit: "committee", limit: .workingDays(days))]
      #expect(throws: DomainError.invalidField("routes[1].working_days", "must be 1–60, got \(days)")) {
        try dispute.applying(.review(routes: bad, limit: .workingDays(10)), expectedVersion: 1, at: at("2026-03-02 10:00"), by: Self.clerk)
      }
    }
  }

  @Test("a review refuses no routes, six routes, a unit twice and a limit out of 1–60, naming the field")
  func reviewRefusals() throws {
    let dispute = try Self.registered()
    let route = DisputeRoute(channel: .legalAid, unit: "aid")
    let cases: [([DisputeRoute], Int, String)] = [([], 5, "routes"), (Array(repeating: route, count: 6), 5, "routes"), ([route, route], 5, "routes"), ([route], 0, "working_days"), ([route], 61, "working_days")]
    for (routes, days, field) in cases {
      do {
        _ = try dispute.applying(.review(routes: routes, limit: .workingDays(days)), expectedVersion: 1, at: at("2026-03-02 10:00"), by: Self.clerk)
        Issue.record("a review with \(routes.count) routes and \(days) days was taken")
      } catch {
        if case .invalidField(let name, _) = error { #expect(name == field) } else { Issue.record("\(error)") }
      }
    }
  }

  @Test("an agreement on one route and a failure on the other conclude the round")
  func concluded() throws {
    let first = try Self.outcome(try Self.routed(), 1, .agreement).case
    #expect(first.state == .mediating)
    let change = try Self.outcome(first, 2, .failed)
    #expect(change.case.state == .concluded)
    #expect(try change.case.task(1).state == .approved)
    #expect(try change.case.task(2).state == .denied)
    #expect(change.events.contains { $0.kind == .stateChanged(from: .mediating, to: .concluded, action: .conclude) })
  }

  @Test("a round whose routes all failed escalates, and only a new review (or close) follows")
  func escalated() throws {
    let change = try Self.outcome(try Self.routed(["committee"]), 1, .failed)
    #expect(change.case.state == .escalated)
    #expect(change.events.contains { $0.kind == .stateChanged(from: .mediating, to: .escalated, action: .escalate) })
    let next = try change.case.applying(
      .review(routes: [DisputeRoute(channel: .administrativeMediation, unit: "street")], limit: .workingDays(5)),
      expectedVersion: change.case.version, at: at("2026-03-04 10:00"), by: Self.clerk
    ).case
    #expect(next.state == .mediating && next.currentStage == 1 && next.currentTasks.map(\.unit) == ["street"])
    #expect(throws: DomainError.self) { try Self.outcome(next, 1, .agreement) }
  }

  @Test("withdrawn routes only conclude the round")
  func withdrawnRound() throws {
    let change = try Self.outcome(try Self.routed(["committee"]), 1, .withdrawn)
    #expect(change.case.state == .concluded)
    #expect(try change.case.task(1).state == .withdrawn)
  }

  @Test("an outcome twice, an outcome without detail, escalate or conclude sent mid-round and a stale version are refused")
  func outcomeRefusals() throws {
    let dispute = try Self.routed()
    let once = try Self.outcome(dispute, 1, .agreement).case
    #expect(throws: DomainError.self) { try Self.outcome(once, 1, .failed) }
    #expect(throws: DomainError.self) {
      try dispute.applying(.recordOutcome(task: 1, outcome: .agreement, detail: " "), expectedVersion: dispute.version, at: at("2026-03-03 10:00"), by: Self.mediator)
    }
    #expect(throws: DomainError.self) { try dispute.applying(.escalate, expectedVersion: dispute.version, at: at("2026-03-03 10:00"), by: Self.clerk) }
    #expect(throws: DomainError.self) { try dispute.applying(.conclude, expectedVersion: dispute.version, at: at("2026-03-03 10:00"), by: Self.clerk) }
    #expect(throws: DomainError.self) { try dispute.applying(.scheduleSession(task: 1), expectedVersion: dispute.version - 1, at: at("2026-03-03 10:00"), by: Self.clerk) }
    #expect(throws: DomainError.self) { try dispute.applying(.scheduleSession(task: 9), expectedVersion: dispute.version, at: at("2026-03-03 10:00"), by: Self.clerk) }
  }

  @Test("sessions need an open route of the current round; fulfilment needs a settled route and a concluded dispute")
  func sessionsAndFulfilment() throws {
    let dispute = try Self.routed(["committee"])
    let scheduled = try dispute.applying(.scheduleSession(task: 1), expectedVersion: dispute.version, at: at("2026-03-02 11:00"), by: Self.mediator).case
    #expect(scheduled.version == dispute.version + 1 && scheduled.state == .mediating)
    #expect(throws: DomainError.self) {
      try dispute.applying(.recordFulfilment(task: 1, fulfilled: true, note: "paid"), expectedVersion: dispute.version, at: at("2026-03-02 11:00"), by: Self.mediator)
    }
    let failed = try Self.outcome(try Self.routed(["committee", "dept"]), 1, .failed).case
    let concluded = try Self.outcome(failed, 2, .agreement).case
    #expect(throws: DomainError.self) {
      try concluded.applying(.recordFulfilment(task: 1, fulfilled: true, note: "paid"), expectedVersion: concluded.version, at: at("2026-03-09 11:00"), by: Self.mediator)
    }
    let followed = try concluded.applying(.recordFulfilment(task: 2, fulfilled: true, note: "paid"), expectedVersion: concluded.version, at: at("2026-03-09 11:00"), by: Self.mediator)
    #expect(followed.case.state == .concluded)
    #expect(throws: DomainError.self) { try concluded.applying(.scheduleSession(task: 2), expectedVersion: concluded.version, at: at("2026-03-09 11:00"), by: Self.mediator) }
  }

  @Test("close: resolved needs a settled concluded dispute; closing mid-round withdraws open routes; the return visit is recorded")
  func close() throws {
    let visit = DisputeReturnVisit(satisfied: true, rating: 5, note: "thanks")
    let routed = try Self.routed()
    #expect(throws: DomainError.self) {
      try routed.applying(.close(result: .resolved, note: "done", returnVisit: nil), expectedVersion: routed.version, at: at("2026-03-05 10:00"), by: Self.clerk)
    }
    let withdrawn = try routed.applying(.close(result: .withdrawn, note: "parties settled privately", returnVisit: nil), expectedVersion: routed.version, at: at("2026-03-05 10:00"), by: Self.clerk)
    #expect(withdrawn.case.state == .closed && withdrawn.case.tasks.allSatisfy { $0.state == .withdrawn })
    #expect(withdrawn.case.refusalReason == "withdrawn: parties settled privately")

    let registered = try Self.registered()
    #expect(throws: DomainError.self) {
      try registered.applying(.close(result: .notResolved, note: "x", returnVisit: nil), expectedVersion: registered.version, at: at("2026-03-05 10:00"), by: Self.clerk)
    }
    let agreed = try Self.outcome(try Self.routed(["committee"]), 1, .agreement).case
    #expect(throws: DomainError.self) {
      try agreed.applying(.close(result: .resolved, note: "x", returnVisit: DisputeReturnVisit(satisfied: true, rating: 6, note: "")), expectedVersion: agreed.version, at: at("2026-03-05 10:00"), by: Self.clerk)
    }
    let resolved = try agreed.applying(.close(result: .resolved, note: "agreement kept", returnVisit: visit), expectedVersion: agreed.version, at: at("2026-03-05 10:00"), by: Self.clerk)
    #expect(resolved.case.state == .closed)
    guard case .approved(let opinions)? = resolved.case.result else { Issue.record("not approved"); return }
    #expect(opinions.map(\.unit) == ["committee"])
    #expect(resolved.events.contains { $0.kind == .returnVisited(satisfied: true, note: "thanks") })
    #expect(throws: DomainError.self) {
      try resolved.case.applying(.close(result: .withdrawn, note: "x", returnVisit: nil), expectedVersion: resolved.case.version, at: at("2026-03-05 10:00"), by: Self.clerk)
    }
  }

  @Test("every event a dispute emits is one its kind declares")
  func declaredEvents() throws {
    var changes: [CaseChange] = [try Case.openDispute(id: "C9", title: "Wang Fang", intake: .hotline, at: at("2026-03-02 09:00"), by: Self.clerk)]
    let failed = try Self.outcome(try Self.routed(["committee"]), 1, .failed)
    changes.append(failed)
    let agreed = try Self.outcome(try Self.routed(["committee"]), 1, .agreement)
    changes.append(agreed)
    changes.append(try agreed.case.applying(.close(result: .resolved, note: "ok", returnVisit: DisputeReturnVisit(satisfied: false, rating: 2, note: "slow")), expectedVersion: agreed.case.version, at: at("2026-03-05 10:00"), by: Self.clerk))
    let declared = DisputeKind.dispute.timelineEvents
    for event in changes.flatMap(\.events) { #expect(declared.contains(event.kind.name), "\(event.kind.name)") }
  }

  @Test("the ladder moves a failed round one rung up and stays at the top")
  func ladder() throws {
    let ladder = DisputeLadder.standard
    #expect(ladder.escalation(from: 1) == 2)
    #expect(ladder.escalation(from: 4) == 4)
    #expect(ladder.name(of: 3) == "district centre")
    #expect(throws: DomainError.self) { try DisputeLadder(rungs: []) }
  }
}
