/// Supervision orders (督办单) as a kind of case on the engine (docs/SUPERVISION.md).
///
/// An order is a case whose plan grows by one single-unit stage per escalation: the unit that
/// must reply holds the open task, on its own working-day clock (so the sweeper warns on it like
/// any task). The case has no clock of its own; the reply deadline is the open task's.
///
/// ```
/// issued ──acknowledge──► acknowledged ──reply──► replied ──verify (accepted)──► closed
///   ▲  │                      │                      │
///   └──┴──── escalate ◄───────┴──────────────────────┘ (unanswered, or the reply rejected)
/// ```
/// Escalation: an ordinary order becomes listed (挂牌督办) at the same unit; a listed order goes
/// to the unit one level up. Each escalation withdraws the open task and opens a new one with a
/// fresh reply limit.
extension Identifier where Tag == CaseStateTag {
  public static let issued: CaseState = "issued"
  public static let acknowledged: CaseState = "acknowledged"
  public static let replied: CaseState = "replied"
  public static let closed: CaseState = "closed"
}

extension Identifier where Tag == CaseActionTag {
  /// The unit confirms it received the order.
  public static let acknowledge: CaseAction = "acknowledge"
  /// The unit's reply: what it did.
  public static let reply: CaseAction = "reply"
  /// The issuer accepts the reply, which closes the order.
  public static let verify: CaseAction = "verify"
  /// The issuer presses harder: listed, or the unit one level up, with a fresh reply limit.
  public static let escalate: CaseAction = "escalate"
}

extension CasePolicy {
  private static let orderTransitions: [(from: CaseState, action: CaseAction, to: CaseState)] = [
    (.issued, .acknowledge, .acknowledged),
    (.acknowledged, .reply, .replied),
    (.replied, .verify, .closed),
    (.issued, .escalate, .issued),
    (.acknowledged, .escalate, .issued),
    (.replied, .escalate, .issued),
  ]

  /// 督办单: issued by a supervisor against a case, task or unit.
  public static let supervisionOrder = try! CasePolicy(kind: "supervisionOrder", initial: .issued, transitions: orderTransitions)

  /// A finding of a quarterly inspection (季度检查督导) with a rectification deadline: the same
  /// lifecycle as an order (the unit acknowledges, reports its rectification, the inspector verifies).
  public static let inspectionFinding = try! CasePolicy(kind: "inspectionFinding", initial: .issued, transitions: orderTransitions)

  /// The policy of an order-like kind, or nil for any other kind.
  public static func orderLike(_ kind: String) -> CasePolicy? {
    OrderKind.named(kind)?.policy
  }
}

/// How strongly an order is pressed: ordinary, or listed (挂牌督办), which is public and weighs in assessment.
public enum OrderLevel: String, Sendable, Hashable, Codable, CaseIterable {
  case ordinary
  case listed

  /// Where an escalation leads: ordinary → listed at the same unit; listed → the unit one level up.
  ///
  /// `parent` is the unit above `unit` (nil at the top of the tree), which the store knows.
  public func escalation(unit: UnitID, parent: UnitID?) throws(DomainError) -> (level: OrderLevel, unit: UnitID) {
    switch self {
    case .ordinary: return (.listed, unit)
    case .listed:
      guard let parent else {
        throw .precondition("order", "is listed at \(unit), which has no unit above it; escalate needs a parent unit")
      }
      return (.listed, parent)
    }
  }

  /// The level each of an order's `tasks` reply tasks was opened at, first to last: the first at
  /// the level the order was issued at; every later one comes from an escalation, which always
  /// leaves the order listed.
  public static func openingLevels(issued: OrderLevel, tasks: Int) -> [OrderLevel] {
    guard tasks > 0 else { return [] }
    return [issued] + Array(repeating: .listed, count: tasks - 1)
  }
}

/// What a unit or a supervisor does to an order.
public enum OrderCommand: Sendable, Hashable {
  /// The unit confirms it received the order (staff of the task's unit).
  case acknowledge
  /// The unit's reply: what it did (staff of the task's unit).
  case reply(text: String)
  /// The supervisor accepts the reply, which closes the order.
  case verify(note: String)
  /// The supervisor escalates: unanswered, or the reply rejected. `to` is the unit that must now reply.
  case escalate(reason: String, to: UnitID, replyWithin: WorkingLimit)
}

/// The kind of supervision orders and of inspection findings: one lifecycle, two tables.
public struct OrderKind: CaseKind {
  public let policy: CasePolicy

  public static let supervisionOrder = OrderKind(policy: .supervisionOrder)
  public static let inspectionFinding = OrderKind(policy: .inspectionFinding)

  /// The order-like kind stored as `name`, or nil for any other kind.
  public static func named(_ name: String) -> OrderKind? {
    [Self.supervisionOrder, .inspectionFinding].first { $0.name == name }
  }

  public var endStates: Set<CaseState> { [.closed] }
  public var timelineEvents: Set<String> {
    ["submitted", "stageOpened", "taskCreated", "taskClaimed", "taskApproved", "taskWithdrawn", "completed", "stateChanged"]
  }

  /// Only orders count (each reply owed); a finding's rectification is not an order reply.
  public var indicators: IndicatorContribution { self.policy == .supervisionOrder ? .replies : .none }
  public var sideTables: [String] { ["supervision_orders", "supervision_alerts"] }
  public var proposesOrders: Bool { false }

  public func action(of command: OrderCommand) -> CaseAction {
    switch command {
    case .acknowledge: return .acknowledge
    case .reply: return .reply
    case .verify: return .verify
    case .escalate: return .escalate
    }
  }

  /// A unit command from staff of another unit → `notFound`, as for any task.
  public func apply(_ command: OrderCommand, to change: inout CaseTransition) throws(DomainError) {
    let order = change.next
    guard let task = order.orderTask else { throw .precondition(order.subject, "has no task to reply on") }
    switch command {
    case .acknowledge, .reply:
      guard case .staff(let staff, let unit) = change.by else { throw .invalidField("by", "order replies need a member of staff") }
      guard unit == task.unit else { throw .notFound("task \(task.number) of case \(order.id)") }
      if case .reply(let text) = command {
        try requireText("reply", text)
        try change.decideTask(task.number, approved: true, opinion: text)
      } else {
        try change.claimTask(task.number, by: staff)
      }
    case .verify:
      let result = CaseResult.approved(opinions: [TaskOpinion(task: task.number, unit: task.unit, approved: true, opinion: task.opinion ?? "")])
      change.next.result = result
      change.emit(.completed(result))
    case .escalate(let reason, let unit, let limit):
      try requireText("reason", reason)
      guard limit.amount >= 1 else { throw .invalidField("reply_within", "must be at least 1, got \(limit)") }
      try change.withdrawTask(task.number)
      let stages = (order.plan?.stages ?? []) + [StagePlan(units: [unit], limit: limit)]
      change.next.plan = CasePlan(item: order.item, stages: stages)
      // A new stage for the unit that must reply now; openStage would reuse the units of an
      // earlier opening of the same index, and this index is new.
      try change.openStage(stages.count - 1)
    }
  }
}

extension Case {
  /// Issues an order to `unit` with a reply due within `replyWithin`: a case in state issued
  /// with one open task for the unit. `title` is what the order is about; `item` is the
  /// catalogue entry orders are filed under.
  public static func issueOrder(
    policy: CasePolicy = .supervisionOrder,
    id: CaseID,
    item: ItemRef,
    title: String,
    to unit: UnitID,
    replyWithin: WorkingLimit,
    at instant: Instant,
    by party: Party
  ) throws(DomainError) -> CaseChange {
    try requireText("title", title)
    guard !unit.rawValue.isEmpty else { throw .invalidField("unit", "must not be empty") }
    guard replyWithin.amount >= 1 else { throw .invalidField("reply_within", "must be at least 1, got \(replyWithin)") }
    let order = try Case.singleUnit(policy: policy, id: id, item: item, title: title, unit: unit, limit: replyWithin)
    var change = try CaseTransition(order, policy: policy, at: instant, by: party)
    change.emit(.submitted(item: item, channel: .window))
    try change.openStage(0)
    return change.finish()
  }

  /// The task of the unit that must reply now (the latest one).
  public var orderTask: CaseTask? { self.tasks.last }

  /// Applies an order command to an order or an inspection finding. Illegal in the current
  /// state → `illegalState` naming it; a unit command from staff of another unit → `notFound`.
  public func applying(_ command: OrderCommand, expectedVersion: Int, at instant: Instant, by party: Party) throws(DomainError)
    -> CaseChange
  {
    try self.checkVersion(expectedVersion)
    guard let kind = OrderKind.named(self.kind) else {
      throw .precondition(self.subject, "is a \(self.kind); order commands need an order")
    }
    return try self.applying(command, of: kind, expectedVersion: expectedVersion, at: instant, by: party)
  }
}
