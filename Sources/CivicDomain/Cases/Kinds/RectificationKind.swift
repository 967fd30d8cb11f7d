/// Bad-rating rectifications (差评整改), with verbs of their own: `handOver` gives it to the
/// responsible unit (its clock starts), `report` is the unit's rectification report, `returnVisit`
/// (回访) closes it, and `void` ends it when the unit's appeal is upheld. See docs/EVALUATION.md.
extension Identifier where Tag == CaseStateTag {
  /// A rectification opened by a bad rating, not yet handed to its unit.
  public static let opened: CaseState = "opened"
  /// The responsible unit is rectifying, on a working-day clock (default 5 days).
  public static let rectifying: CaseState = "rectifying"
  /// The unit reported its rectification; the return visit (回访) is due.
  public static let awaitingReturnVisit: CaseState = "awaitingReturnVisit"
  /// The return visit was made: the rectification is closed.
  public static let rectified: CaseState = "rectified"
  /// An appeal (申诉复核) was upheld: the rating no longer counts, nothing to rectify.
  public static let voided: CaseState = "voided"
}

extension Identifier where Tag == CaseActionTag {
  /// The rectification goes to the responsible unit, whose task and clock start.
  public static let handOver: CaseAction = "handOver"
  /// 整改报告: the unit's report of what it rectified.
  public static let report: CaseAction = "report"
  /// 回访: the return visit that closes the rectification.
  public static let returnVisit: CaseAction = "returnVisit"
  /// 申诉复核 upheld: nothing to rectify.
  public static let void: CaseAction = "void"
}

extension CasePolicy {
  public static let rectification = try! CasePolicy(
    kind: "rectification",
    initial: .opened,
    transitions: [
      (.opened, .handOver, .rectifying),
      (.rectifying, .report, .awaitingReturnVisit),
      (.awaitingReturnVisit, .returnVisit, .rectified),
      (.opened, .void, .voided),
      (.rectifying, .void, .voided),
      (.awaitingReturnVisit, .void, .voided),
    ]
  )
}

/// What the responsible unit, a supervisor or an upheld appeal does to a rectification.
public enum RectificationCommand: Sendable, Hashable {
  /// 整改报告: the unit's report of what it rectified; its task is done and its clock stops.
  case report(text: String)
  /// 回访: the return visit that closes the rectification, whatever the citizen now thinks.
  case returnVisit(satisfied: Bool, note: String)
  /// 申诉复核 upheld: nothing to rectify; an open task is withdrawn and its clock stops.
  case void(reason: String)
}

public struct RectificationKind: CaseKind {
  public let policy = CasePolicy.rectification

  public static let rectification = RectificationKind()

  public var endStates: Set<CaseState> { [.rectified, .voided] }
  public var timelineEvents: Set<String> {
    ["submitted", "stateChanged", "stageOpened", "taskCreated", "taskApproved", "taskWithdrawn", "returnVisited", "refused"]
  }

  /// A rectification counts through its rating (the rated unit's rectification rate), not as a case.
  public var indicators: IndicatorContribution { .none }
  public var sideTables: [String] { ["rectifications"] }

  public func action(of command: RectificationCommand) -> CaseAction {
    switch command {
    case .report: return .report
    case .returnVisit: return .returnVisit
    case .void: return .void
    }
  }

  public func apply(_ command: RectificationCommand, to change: inout CaseTransition) throws(DomainError) {
    guard let task = change.next.rectificationTask else { throw .precondition(change.next.subject, "has no task") }
    switch command {
    case .report(let text):
      try requireText("report", text)
      try change.decideTask(task.number, approved: true, opinion: text)
    case .returnVisit(let satisfied, let note):
      change.emit(.returnVisited(satisfied: satisfied, note: note))
    case .void(let reason):
      try requireText("reason", reason)
      try change.withdrawTask(task.number)
      change.next.refusalReason = reason
      change.emit(.refused(reason: reason))
    }
  }
}

extension Case {
  /// Opens a rectification for `unit` and hands it over at once: a case in state rectifying
  /// with one task for the unit on a clock of `within` (the rectification's deadline).
  /// `title` says what was rated badly; `item` is the catalogue entry rectifications are filed under.
  public static func openRectification(
    id: CaseID,
    item: ItemRef,
    title: String,
    for unit: UnitID,
    within limit: WorkingLimit = .workingDays(Rectification.defaultWorkingDays),
    at instant: Instant,
    by party: Party
  ) throws(DomainError) -> CaseChange {
    try requireText("title", title)
    guard !unit.rawValue.isEmpty else { throw .invalidField("unit", "must not be empty") }
    guard (1...60).contains(limit.amount) else { throw .invalidField("working_days", "must be 1…60, got \(limit)") }
    let policy = CasePolicy.rectification
    let opened = try Case.singleUnit(policy: policy, id: id, item: item, title: title, unit: unit, limit: limit)
    var change = try CaseTransition(opened, policy: policy, at: instant, by: party)
    change.emit(.submitted(item: item, channel: .window))
    try change.move(.handOver)
    try change.openStage(0)
    return change.finish()
  }

  /// The responsible unit's task: the one task a rectification has.
  public var rectificationTask: CaseTask? { self.kind == CasePolicy.rectification.kind ? self.tasks.first : nil }

  /// Applies a rectification command. Illegal in the current state → `illegalState` naming it.
  public func applying(
    _ command: RectificationCommand,
    expectedVersion: Int,
    at instant: Instant,
    by party: Party
  ) throws(DomainError) -> CaseChange {
    try self.checkVersion(expectedVersion)
    guard self.kind == RectificationKind.rectification.name else {
      throw .precondition(self.subject, "is a \(self.kind); rectification commands need a rectification")
    }
    return try self.applying(command, of: RectificationKind.rectification, expectedVersion: expectedVersion, at: instant, by: party)
  }
}
