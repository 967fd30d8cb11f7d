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

extension CasePolicy {
  /// A bad-rating rectification (差评整改), the engine's verbs read as:
  /// `dispatch` hands it to the responsible unit (clock starts), `complete` is the unit's
  /// rectification report, `deliver` is the return visit (回访) that closes it, and `refuse`
  /// voids it when the unit's appeal is upheld. See docs/EVALUATION.md.
  public static let rectification = try! CasePolicy(
    kind: "rectification",
    initial: .opened,
    transitions: [
      (.opened, .dispatch, .rectifying),
      (.rectifying, .complete, .awaitingReturnVisit),
      (.awaitingReturnVisit, .deliver, .rectified),
      (.opened, .refuse, .voided),
      (.rectifying, .refuse, .voided),
      (.awaitingReturnVisit, .refuse, .voided),
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

  public var action: CaseAction {
    switch self {
    case .report: return .complete
    case .returnVisit: return .deliver
    case .void: return .refuse
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
    try change.move(.dispatch)
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
    let policy = CasePolicy.rectification
    guard self.kind == policy.kind else {
      throw .precondition(self.subject, "is a \(self.kind); rectification commands need a rectification")
    }
    _ = try policy.target(of: command.action, from: self.state, subject: self.subject)
    guard let task = self.rectificationTask else { throw .precondition(self.subject, "has no task") }
    var change = try CaseTransition(self, policy: policy, at: instant, by: party)
    switch command {
    case .report(let text):
      try requireText("report", text)
      var done = task
      done.state = .approved
      done.opinion = text
      done.version += 1
      try done.clock.stop(at: instant)
      change.next.tasks[task.number - 1] = done
      change.emit(.taskApproved(opinion: text), task: task.number)
    case .returnVisit(let satisfied, let note):
      change.emit(.returnVisited(satisfied: satisfied, note: note))
    case .void(let reason):
      try requireText("reason", reason)
      try change.withdrawIfOpen(task)
      change.next.refusalReason = reason
      change.emit(.refused(reason: reason))
    }
    try change.move(command.action)
    return change.finish()
  }
}
