/// Disputes and first letters/visits (矛盾纠纷、初信初访) as a kind of case on the engine
/// (docs/DISPUTES.md).
///
/// A dispute has no case clock. Each joint review (联席研判) adds one stage to its plan, with
/// one task per route (a channel at a unit) on the route's own working-day limit or the review's, so the sweeper
/// warns on and presses routes like any task. When the last route of a round has its outcome,
/// the round ends: something settled → concluded; otherwise a failure → escalated, which needs
/// a new review one rung up the district's ladder.
///
/// ```
/// registered ──review──► mediating ──(round ends, settled)──conclude──► concluded ──close──► closed
///                 ▲          │ scheduleSession, recordSession,            │ recordFulfilment
///                 │          │ recordOutcome (per route)                  │
/// escalated ◄─escalate─(round ends, failed)    registered, mediating, escalated ──close──► closed
/// ```
extension Identifier where Tag == CaseStateTag {
  /// Taken in; the joint review is due.
  public static let registered: CaseState = "registered"
  /// Routed: one or more channels of the current round are at work.
  public static let mediating: CaseState = "mediating"
  /// A round failed; a new review one rung up the ladder is due.
  public static let escalated: CaseState = "escalated"
  /// Every route of the last round has its outcome and something was settled (or withdrawn).
  public static let concluded: CaseState = "concluded"
}

extension Identifier where Tag == CaseActionTag {
  /// 联席研判: assesses the risk and routes the dispute to channels.
  public static let review: CaseAction = "review"
  public static let scheduleSession: CaseAction = "scheduleSession"
  public static let recordSession: CaseAction = "recordSession"
  /// The outcome of one route.
  public static let recordOutcome: CaseAction = "recordOutcome"
  /// The round ended with something settled.
  public static let conclude: CaseAction = "conclude"
  /// The follow-up of an agreement: fulfilled or not.
  public static let recordFulfilment: CaseAction = "recordFulfilment"
  /// Closes the dispute with its result.
  public static let close: CaseAction = "close"
}

extension CasePolicy {
  public static let dispute = try! CasePolicy(
    kind: "dispute",
    initial: .registered,
    transitions: [
      (.registered, .review, .mediating),
      (.escalated, .review, .mediating),
      (.mediating, .scheduleSession, .mediating),
      (.mediating, .recordSession, .mediating),
      (.mediating, .recordOutcome, .mediating),
      (.mediating, .escalate, .escalated),
      (.mediating, .conclude, .concluded),
      (.concluded, .recordFulfilment, .concluded),
      (.registered, .close, .closed),
      (.mediating, .close, .closed),
      (.escalated, .close, .closed),
      (.concluded, .close, .closed),
    ]
  )
}

/// What the centre's staff do to a dispute. `escalate` and `conclude` are taken by
/// `Case.applying(_:expectedVersion:at:by:)` when a round ends, never sent by a caller.
public enum DisputeCommand: Sendable, Hashable {
  /// 联席研判: routes to 1–5 channels, each at a different unit, each within its own limit or `limit`.
  case review(routes: [DisputeRoute], limit: WorkingLimit)
  /// A session on the open route `task`.
  case scheduleSession(task: Int)
  /// A scheduled session on the open route `task` was held.
  case recordSession(task: Int)
  /// How route `task` ended; `detail` holds the terms or the reason.
  case recordOutcome(task: Int, outcome: ChannelOutcome, detail: String)
  case escalate
  case conclude
  /// The follow-up of the settled route `task`.
  case recordFulfilment(task: Int, fulfilled: Bool, note: String)
  /// Closes the dispute; open routes are withdrawn.
  case close(result: DisputeResult, note: String, returnVisit: DisputeReturnVisit?)
}

public struct DisputeKind: CaseKind {
  public let policy = CasePolicy.dispute

  public static let dispute = DisputeKind()

  /// The catalogue entry disputes are filed under (retired, so no one applies for it).
  public static let item = ItemRef(code: "DISPUTE", version: 1)

  public var endStates: Set<CaseState> { [.closed] }
  public var timelineEvents: Set<String> {
    [
      "submitted", "stateChanged", "stageOpened", "taskCreated", "taskClaimed", "taskApproved", "taskDenied",
      "taskWithdrawn", "taskTransferred", "extensionRequested", "extensionDecided", "clockExtended", "completed",
      "returnVisited",
    ]
  }
  /// Disputes count in their own indicators (resolution and fulfilment rates), not as case facts.
  public var indicators: IndicatorContribution { .none }
  public var sideTables: [String] {
    ["disputes", "dispute_parties", "dispute_reviews", "dispute_routes", "dispute_sessions", "dispute_ladders"]
  }

  public func action(of command: DisputeCommand) -> CaseAction {
    switch command {
    case .review: .review
    case .scheduleSession: .scheduleSession
    case .recordSession: .recordSession
    case .recordOutcome: .recordOutcome
    case .escalate: .escalate
    case .conclude: .conclude
    case .recordFulfilment: .recordFulfilment
    case .close: .close
    }
  }

  public func apply(_ command: DisputeCommand, to change: inout CaseTransition) throws(DomainError) {
    let dispute = change.next
    switch command {
    case .review(let routes, let limit):
      guard (1...5).contains(routes.count) else { throw .invalidField("routes", "must name 1–5 routes, got \(routes.count)") }
      guard Set(routes.map(\.unit)).count == routes.count else { throw .invalidField("routes", "name each unit once") }
      guard (1...60).contains(limit.amount) else { throw .invalidField("working_days", "must be 1–60, got \(limit.amount)") }
      for (index, route) in routes.enumerated() {
        if let own = route.limit, !(1...60).contains(own.amount) {
          throw .invalidField("routes[\(index)].working_days", "must be 1–60, got \(own.amount)")
        }
      }
      let ownLimits = routes.contains { $0.limit != nil } ? routes.map { $0.limit ?? limit } : nil
      let stage = StagePlan(units: routes.map(\.unit), limit: limit, taskLimits: ownLimits)
      let stages = (dispute.plan?.stages ?? []) + [stage]
      change.next.plan = CasePlan(item: dispute.item, stages: stages)
      try change.openStage(stages.count - 1)
    case .scheduleSession(let number), .recordSession(let number):
      _ = try Self.openRoute(number, of: dispute)
    case .recordOutcome(let number, let outcome, let detail):
      try requireText("detail", detail)
      _ = try Self.openRoute(number, of: dispute)
      let opinion = "\(outcome.rawValue): \(detail)"
      switch outcome {
      case .agreement, .partial, .failed: try change.decideTask(number, approved: outcome.settles, opinion: opinion)
      case .withdrawn: try change.closeTask(number, as: .withdrawn, opinion: opinion, event: .taskWithdrawn)
      }
    case .escalate, .conclude:
      guard dispute.roundEnd == self.action(of: command) else {
        throw .precondition(dispute.subject, "round has not ended with \(self.action(of: command).rawValue)")
      }
    case .recordFulfilment(let number, _, let note):
      try requireText("note", note)
      let task = try dispute.task(number)
      guard task.state == .approved else {
        throw .precondition(task.subject, "has no agreement to follow up (it is \(task.state.rawValue))")
      }
    case .close(let result, let note, let visit):
      try requireText("note", note)
      if let visit, !(1...5).contains(visit.rating) { throw .invalidField("rating", "must be 1–5, got \(visit.rating)") }
      let settled = dispute.tasks.contains { $0.state == .approved }
      switch (result, dispute.state) {
      case (.resolved, .concluded) where settled, (.notResolved, .mediating), (.notResolved, .escalated), (.notResolved, .concluded),
        (.referredOut, _), (.withdrawn, _):
        break
      default:
        throw .precondition(dispute.subject, "cannot close as \(result.rawValue) while \(dispute.state)\(settled ? "" : " with nothing settled")")
      }
      for task in dispute.tasks where task.state.isOpen { try change.withdrawTask(task.number) }
      let opinions = change.consolidatedOpinions()
      let outcome: CaseResult = result == .resolved ? .approved(opinions: opinions) : .denied(opinions: opinions)
      change.next.result = outcome
      if result != .resolved { change.next.refusalReason = "\(result.rawValue): \(note)" }
      change.emit(.completed(outcome))
      if let visit { change.emit(.returnVisited(satisfied: visit.satisfied, note: visit.note)) }
    }
  }

  /// Route `number` of the current round, still open.
  static func openRoute(_ number: Int, of dispute: Case) throws(DomainError) -> CaseTask {
    let task = try dispute.task(number)
    guard task.stage == dispute.currentStage, task.opening == dispute.stageOpenings else {
      throw .precondition(task.subject, "belongs to an earlier review round")
    }
    guard task.state.isOpen else { throw .precondition(task.subject, "already has its outcome (\(task.state.rawValue))") }
    return task
  }
}

extension Case {
  /// Takes a dispute in: a case in state registered with no clock and no stages yet; the
  /// first joint review routes it. `title` is what the case list shows (the applicant's name).
  public static func openDispute(id: CaseID, title: String, intake: DisputeIntake, at instant: Instant, by party: Party)
    throws(DomainError) -> CaseChange
  {
    guard !id.rawValue.isEmpty else { throw .invalidField("id", "must not be empty") }
    try requireText("parties", title)
    let dispute = Case(
      id: id,
      kind: CasePolicy.dispute.kind,
      item: DisputeKind.item,
      channel: intake.caseChannel,
      applicant: title,
      state: CasePolicy.dispute.initial,
      materials: try MaterialChecklist(required: [], provided: []),
      clock: nil,
      warningPolicy: .defaults,
      plan: CasePlan(item: DisputeKind.item, stages: [])
    )
    return CaseChange(case: dispute, events: [TimelineEvent(at: instant, by: party, kind: .submitted(item: DisputeKind.item, channel: intake.caseChannel))])
  }

  /// How the current round ends now: nil while a route is open (or before any review);
  /// `conclude` when a route settled something or every route was withdrawn; `escalate` when
  /// routes failed and none settled.
  public var roundEnd: CaseAction? {
    let round = self.currentTasks
    guard !round.isEmpty, !round.contains(where: \.state.isOpen) else { return nil }
    if round.contains(where: { $0.state == .approved }) { return .conclude }
    return round.contains(where: { $0.state == .denied }) ? .escalate : .conclude
  }

  /// Applies a dispute command; an outcome that ends the round moves the dispute on in the
  /// same change (escalated or concluded). Illegal in the current state → `illegalState`.
  public func applying(_ command: DisputeCommand, expectedVersion: Int, at instant: Instant, by party: Party) throws(DomainError)
    -> CaseChange
  {
    guard self.kind == DisputeKind.dispute.name else {
      throw .precondition(self.subject, "is a \(self.kind); dispute commands need a dispute")
    }
    let kind = DisputeKind.dispute
    let change = try self.applying(command, of: kind, expectedVersion: expectedVersion, at: instant, by: party)
    guard case .recordOutcome = command, let end = change.case.roundEnd else { return change }
    let follow: DisputeCommand = end == .escalate ? .escalate : .conclude
    return change.followed(by: try change.case.applying(follow, of: kind, expectedVersion: change.case.version, at: instant, by: party))
  }
}
