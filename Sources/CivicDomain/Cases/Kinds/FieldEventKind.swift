/// Events from the field (网格信息采集) as a kind of case (docs/GRID.md).
///
/// A reported event is routed to the unit its category's route names (a task on that unit's
/// clock: working days, or working hours when urgent), forwarded into the Requests intake, or
/// handled on the spot by the grid worker (自行处置). A sampled self-handled event gets a
/// checker task at the street before it counts as handled. The plan grows one stage per
/// routing or check, so every task keeps its own stage.
///
/// ```
/// reported ─route─► routed ─handle─► handled ─close─► closed
///    │ ├─handleOnSpot──────────────────►┘
///    │ └─handleOnSpotChecked─► checking ─passCheck─► handled
///    │                            └─failCheck─► reported
///    └─forward─► forwarded (a citizen's request now)
/// ```
extension Identifier where Tag == CaseStateTag {
  /// Reported, not yet routed nor handled.
  public static let reported: CaseState = "reported"
  /// A unit's task is open on it.
  public static let routed: CaseState = "routed"
  /// Handled (by the unit, or on the spot), waiting to be closed.
  public static let handled: CaseState = "handled"
  /// Handled on the spot and sampled: the street's checker task is open.
  public static let checking: CaseState = "checking"
  /// Went into the Requests intake as a citizen's request.
  public static let forwarded: CaseState = "forwarded"
}

extension Identifier where Tag == CaseActionTag {
  public static let handle: CaseAction = "handle"
  public static let handleOnSpot: CaseAction = "handleOnSpot"
  public static let handleOnSpotChecked: CaseAction = "handleOnSpotChecked"
  public static let passCheck: CaseAction = "passCheck"
  public static let failCheck: CaseAction = "failCheck"
  public static let forward: CaseAction = "forward"
}

extension CasePolicy {
  public static let fieldEvent = try! CasePolicy(
    kind: "fieldEvent",
    initial: .reported,
    transitions: [
      (.reported, .route, .routed),
      (.reported, .forward, .forwarded),
      (.reported, .handleOnSpot, .handled),
      (.reported, .handleOnSpotChecked, .checking),
      (.routed, .handle, .handled),
      (.checking, .passCheck, .handled),
      (.checking, .failCheck, .reported),
      (.handled, .close, .closed),
    ]
  )
}

public enum FieldEventCommand: Sendable, Hashable {
  /// A task on `unit` within `limit` (from the routing table).
  case route(unit: UnitID, limit: WorkingLimit)
  /// Became citizen's request `request` (its case number).
  case forward(request: String)
  /// The grid worker handled it on the spot; `check` is the street's checker stage when sampled.
  case handleOnSpot(evidence: String, check: StagePlan?)
  /// The routed unit handled it: its task approved with the evidence.
  case handle(evidence: String)
  /// The street's check of a self-handled event.
  case check(confirmed: Bool, note: String)
  case close(note: String)
}

public struct FieldEventKind: CaseKind {
  public let policy = CasePolicy.fieldEvent

  public static let fieldEvent = FieldEventKind()

  /// The catalogue entry events are filed under (retired: no one applies for it).
  public static let item = ItemRef(code: "FIELD-EVENT", version: 1)

  public var endStates: Set<CaseState> { [.closed, .forwarded] }
  public var timelineEvents: Set<String> {
    ["submitted", "stateChanged", "stageOpened", "taskCreated", "taskApproved", "taskDenied", "completed", "refused"]
  }

  /// Counted by the grid's own analysis (docs/GRID.md), not as applications or order replies.
  public var indicators: IndicatorContribution { .none }
  public var sideTables: [String] {
    ["field_events", "field_event_routing_versions", "field_event_sampling", "field_event_urgent_recipients"]
  }

  public func action(of command: FieldEventCommand) -> CaseAction {
    switch command {
    case .route: return .route
    case .forward: return .forward
    case .handleOnSpot(_, let check): return check == nil ? .handleOnSpot : .handleOnSpotChecked
    case .handle: return .handle
    case .check(let confirmed, _): return confirmed ? .passCheck : .failCheck
    case .close: return .close
    }
  }

  public func apply(_ command: FieldEventCommand, to change: inout CaseTransition) throws(DomainError) {
    let event = change.next
    switch command {
    case .route(let unit, let limit):
      try change.openAddedStage(StagePlan(units: [unit], limit: limit))
    case .forward(let request):
      let result = CaseResult.approved(opinions: [
        TaskOpinion(task: 0, unit: "", approved: true, opinion: "forwarded as request \(request)")
      ])
      change.next.result = result
      change.emit(.completed(result))
    case .handleOnSpot(let evidence, let check):
      try requireText("evidence", evidence)
      if let check { try change.openAddedStage(check) }
    case .handle(let evidence):
      try requireText("evidence", evidence)
      guard let task = event.tasks.last, task.state.isOpen else { throw .precondition(event.subject, "has no open task") }
      try change.decideTask(task.number, approved: true, opinion: evidence)
    case .check(let confirmed, let note):
      if !confirmed { try requireText("note", note) }
      guard let task = event.tasks.last, task.state.isOpen else { throw .precondition(event.subject, "has no open check") }
      try change.decideTask(task.number, approved: confirmed, opinion: note.isEmpty ? "confirmed" : note)
    case .close:
      // The note is the side row's (field_events.close_note); the result keeps the tasks' opinions.
      let result = CaseResult.approved(opinions: change.consolidatedOpinions())
      change.next.result = result
      change.emit(.completed(result))
    }
  }
}

extension CaseTransition {
  /// Appends `stage` to the plan and opens it (an event's plan grows with each routing or check).
  mutating func openAddedStage(_ stage: StagePlan) throws(DomainError) {
    let plan = self.next.plan ?? CasePlan(item: self.next.item, stages: [])
    self.next.plan = CasePlan(item: plan.item, stages: plan.stages + [stage])
    try self.openStage(plan.stages.count)
  }
}

extension Case {
  /// A reported event: a case with an empty plan, no clock, in state `reported`. `title` is
  /// what lists show as its applicant (the resident's name, or the category and address).
  public static func reportFieldEvent(id: CaseID, title: String, channel: IntakeChannel, at instant: Instant, by party: Party)
    throws(DomainError) -> CaseChange
  {
    let kind = FieldEventKind.fieldEvent
    let item = FieldEventKind.item
    let event = Case(
      id: id,
      kind: kind.name,
      item: item,
      channel: channel,
      applicant: title,
      state: kind.policy.initial,
      materials: try MaterialChecklist(required: [], provided: []),
      clock: nil,
      warningPolicy: .defaults,
      plan: CasePlan(item: item, stages: [])
    )
    var change = try CaseTransition(event, policy: kind.policy, at: instant, by: party)
    change.emit(.submitted(item: item, channel: channel))
    change.caseChanged = true
    return change.finish()
  }
}
