/// Citizens' requests resolved by tier (群众诉求分级化解) as a kind of case (docs/REQUESTS.md).
///
/// A request's plan is its tier ladder (`RequestLadder`): one single-unit stage per tier, from
/// the lowest tier able to handle its category up to the district department, each on that
/// tier's working-day limit. The tier holding the request has the open task.
///
/// ```
/// received ─route─► atTier ──reply──► replied ──confirm──► completed
///                    ▲  │                │
///                    └──┘ escalate       ├─rejectReply─► atTier (the same tier once, then the next)
///                                        └─closeUnresolved─► unresolved (rejected at the top tier)
/// ```
/// The citizen's rating goes through the existing rating loop (RateCase at completion).
extension Identifier where Tag == CaseStateTag {
  /// Taken in, not yet at a tier (only inside intake: routing follows at once).
  public static let received: CaseState = "received"
  /// A tier's unit is handling it, on the tier's clock.
  public static let atTier: CaseState = "atTier"
  /// Rejected by the citizen at the top tier after its one reopening: nothing above to ask.
  public static let unresolved: CaseState = "unresolved"
}

extension Identifier where Tag == CaseActionTag {
  /// The request goes to the lowest tier able to handle it.
  public static let route: CaseAction = "route"
  /// The citizen accepts the reply.
  public static let confirm: CaseAction = "confirm"
  /// The citizen rejects the reply: reopened at the same tier once, else the next tier.
  public static let rejectReply: CaseAction = "rejectReply"
  /// The citizen rejects the top tier's reply after its reopening.
  public static let closeUnresolved: CaseAction = "closeUnresolved"
}

extension CasePolicy {
  public static let citizenRequest = try! CasePolicy(
    kind: "citizenRequest",
    initial: .received,
    transitions: [
      (.received, .route, .atTier),
      (.atTier, .reply, .replied),
      (.atTier, .escalate, .atTier),
      (.replied, .confirm, .completed),
      (.replied, .rejectReply, .atTier),
      (.replied, .closeUnresolved, .unresolved),
      (.completed, .returnVisit, .completed),
      (.unresolved, .returnVisit, .unresolved),
    ]
  )
}

/// What a tier, the first receiver or the system does to a request.
public enum CitizenRequestCommand: Sendable, Hashable {
  /// The tier's answer to the citizen; its task is done and its clock stops.
  case reply(text: String)
  /// The tier cannot resolve it (or its time ran out): the next tier takes it.
  case escalate(reason: String)
  /// The citizen accepts the reply.
  case confirm(note: String)
  /// The citizen rejects the reply (use `Case.rejection(reason:)`, which picks this or `closeUnresolved`).
  case rejectReply(reason: String)
  /// The citizen rejects the top tier's reply after its reopening: closed unresolved.
  case closeUnresolved(reason: String)
  /// 回访: the return visit after the request closed.
  case returnVisit(satisfied: Bool, note: String)
}

public struct CitizenRequestKind: OverdueCommandingKind {
  public let policy = CasePolicy.citizenRequest

  public static let citizenRequest = CitizenRequestKind()

  /// The catalogue entry requests are filed under (retired: no one applies for it).
  public static let item = ItemRef(code: "CITIZEN-REQUEST", version: 1)

  public var endStates: Set<CaseState> { [.completed, .unresolved] }
  public var timelineEvents: Set<String> {
    [
      "submitted", "stateChanged", "stageOpened", "taskCreated", "taskApproved", "taskDenied", "completed", "refused",
      "returnVisited",
    ]
  }

  /// Not an application (no acceptance or promised limit) nor an order reply: the request
  /// indicators of docs/REQUESTS.md are counted from `citizen_requests` on their own.
  public var indicators: IndicatorContribution { .none }
  public var sideTables: [String] { ["citizen_requests", "request_routing_versions"] }

  public func action(of command: CitizenRequestCommand) -> CaseAction {
    switch command {
    case .reply: return .reply
    case .escalate: return .escalate
    case .confirm: return .confirm
    case .rejectReply: return .rejectReply
    case .closeUnresolved: return .closeUnresolved
    case .returnVisit: return .returnVisit
    }
  }

  /// A tier whose time runs out escalates to the next one; the top tier has nowhere to go
  /// (its overdue clock is pressed by the sweeper's order proposal instead).
  public func commandOnOverdue(task: CaseTask, of request: Case) -> CitizenRequestCommand? {
    guard request.state == .atTier, task.state.isOpen, task.number == request.tasks.last?.number,
      request.hasTierAbove
    else { return nil }
    return .escalate(reason: "time ran out at tier \(task.stage + 1) (\(task.clock.limit))")
  }

  public func apply(_ command: CitizenRequestCommand, to change: inout CaseTransition) throws(DomainError) {
    let request = change.next
    switch command {
    case .reply(let text):
      try requireText("reply", text)
      let task = try request.requireOpenTierTask()
      try change.decideTask(task.number, approved: true, opinion: text)
    case .escalate(let reason):
      try requireText("reason", reason)
      let task = try request.requireOpenTierTask()
      guard request.hasTierAbove else {
        throw .precondition(request.subject, "is at its top tier (\(task.unit)); there is no tier to escalate to")
      }
      try change.decideTask(task.number, approved: false, opinion: "escalated: \(reason)")
      try change.openStage(task.stage + 1)
    case .confirm(let note):
      let result = CaseResult.approved(opinions: request.tierOpinions)
      change.next.result = result
      if !note.isEmpty { change.emit(.returnVisited(satisfied: true, note: note)) }
      change.emit(.completed(result))
    case .rejectReply(let reason):
      try requireText("reason", reason)
      guard let stage = request.currentStage else { throw .precondition(request.subject, "has no tier") }
      change.emit(.refused(reason: "the citizen rejected the reply: \(reason)"))
      switch RequestLadder.afterRejection(stage: stage, openings: request.openings(ofStage: stage), tiers: request.plan?.stages.count ?? 0)
      {
      case .reopen: try change.openStage(stage)
      case .escalate: try change.openStage(stage + 1)
      case .closeUnresolved:
        throw .precondition(request.subject, "was already reopened at its top tier; a rejection now closes it unresolved")
      }
    case .closeUnresolved(let reason):
      try requireText("reason", reason)
      change.emit(.refused(reason: "the citizen rejected the reply: \(reason)"))
      let result = CaseResult.denied(opinions: request.tierOpinions)
      change.next.result = result
      change.emit(.completed(result))
    case .returnVisit(let satisfied, let note):
      change.emit(.returnVisited(satisfied: satisfied, note: note))
    }
  }
}

extension Case {
  /// Takes in a request and routes it at once: a case at the ladder's first tier, whose task
  /// and clock start now. `applicant` is the citizen's name; `ladder` comes from `RequestLadder.build`.
  public static func receiveRequest(
    id: CaseID,
    applicant: String,
    channel: IntakeChannel,
    ladder: [RequestLadder.Step],
    at instant: Instant,
    by party: Party
  ) throws(DomainError) -> CaseChange {
    try requireText("citizen.name", applicant)
    guard !ladder.isEmpty else { throw .invalidField("category", "routes to no tier") }
    let kind = CitizenRequestKind.citizenRequest
    let item = CitizenRequestKind.item
    let request = Case(
      id: id,
      kind: kind.name,
      item: item,
      channel: channel,
      applicant: applicant,
      state: kind.policy.initial,
      materials: try MaterialChecklist(required: [], provided: []),
      clock: nil,
      warningPolicy: .defaults,
      plan: CasePlan(item: item, stages: ladder.map { StagePlan(units: [$0.unit], limit: .workingDays($0.workingDays)) })
    )
    var change = try CaseTransition(request, policy: kind.policy, at: instant, by: party)
    change.emit(.submitted(item: item, channel: channel))
    try change.move(.route)
    try change.openStage(0)
    return change.finish()
  }

  /// The command a citizen's rejection of the reply takes: reopen or escalate, or, at the top
  /// tier already reopened once, close unresolved.
  public func rejection(reason: String) -> CitizenRequestCommand {
    guard let stage = self.currentStage else { return .rejectReply(reason: reason) }
    let next = RequestLadder.afterRejection(stage: stage, openings: self.openings(ofStage: stage), tiers: self.plan?.stages.count ?? 0)
    return next == .closeUnresolved ? .closeUnresolved(reason: reason) : .rejectReply(reason: reason)
  }

  /// The tier's task open now (the latest one).
  var requestTask: CaseTask? { self.tasks.last }

  /// Whether a tier above the current one is in the ladder.
  var hasTierAbove: Bool { (self.currentStage ?? 0) + 1 < (self.plan?.stages.count ?? 0) }

  /// How many times stage `index` has been opened.
  func openings(ofStage index: Int) -> Int { Set(self.tasks.filter { $0.stage == index }.map(\.opening)).count }

  func requireOpenTierTask() throws(DomainError) -> CaseTask {
    guard let task = self.requestTask, task.state.isOpen else { throw .precondition(self.subject, "has no open tier task") }
    return task
  }

  /// Every tier's answer or escalation, in order.
  var tierOpinions: [TaskOpinion] {
    self.tasks.filter { $0.state == .approved || $0.state == .denied }
      .map { TaskOpinion(task: $0.number, unit: $0.unit, approved: $0.state == .approved, opinion: $0.opinion ?? "") }
  }
}
