/// A case being changed by one command: the working copy, the events so far, and whether the
/// case's own fields changed (which raises its version).
///
/// Public so that a kind's `apply` can take it; what it may do to the case is internal to the
/// domain, where every kind lives.
public struct CaseTransition {
  var next: Case
  var events: [TimelineEvent] = []
  var caseChanged = false
  let at: Instant
  let by: Party
  let policy: CasePolicy

  init(_ start: Case, policy: CasePolicy, at: Instant, by: Party) throws(DomainError) {
    guard policy.kind == start.kind else { throw .invalidField("policy", "is for kind \(policy.kind); \(start.subject) is \(start.kind)") }
    self.next = start
    self.policy = policy
    self.at = at
    self.by = by
  }

  mutating func emit(_ kind: TimelineEvent.Kind, task: Int? = nil) {
    self.events.append(TimelineEvent(at: self.at, by: self.by, task: task, kind: kind))
  }

  /// Moves the case along the policy's row for `action`.
  mutating func move(_ action: CaseAction) throws(DomainError) {
    let target = try self.policy.target(of: action, from: self.next.state, subject: self.next.subject)
    self.caseChanged = true
    guard target != self.next.state else { return }
    self.emit(.stateChanged(from: self.next.state, to: target, action: action))
    self.next.state = target
  }

  /// Applies `change` to the case clock, if there is one, and records `event`.
  mutating func updateClock(_ event: TimelineEvent.Kind, _ change: (inout WorkClock) throws(DomainError) -> Void) throws(DomainError) {
    guard var clock = self.next.clock else { return }
    try change(&clock)
    self.next.clock = clock
    self.caseChanged = true
    self.emit(event)
  }

  /// Completes the case with `result`: the case clock stops.
  mutating func complete(_ result: CaseResult) throws(DomainError) {
    _ = try self.policy.target(of: .complete, from: self.next.state, subject: self.next.subject)
    try self.stopCaseClock()
    self.next.result = result
    self.emit(.completed(result))
    try self.move(.complete)
  }

  mutating func stopCaseClock() throws(DomainError) {
    let at = self.at
    try self.updateClock(.clockStopped) { (clock: inout WorkClock) throws(DomainError) in try clock.stop(at: at) }
  }

  func finish() -> CaseChange {
    var result = self.next
    if self.caseChanged { result.version += 1 }
    return CaseChange(case: result, events: self.events)
  }
}

extension Case {
  /// A case the server opens itself for one unit (an order, an inspection finding, a
  /// rectification): no materials, no case clock, one stage of one task for `unit` within `limit`.
  static func singleUnit(policy: CasePolicy, id: CaseID, item: ItemRef, title: String, unit: UnitID, limit: WorkingLimit)
    throws(DomainError)
    -> Case
  {
    Case(
      id: id,
      kind: policy.kind,
      item: item,
      channel: .window,
      applicant: title,
      state: policy.initial,
      materials: try MaterialChecklist(required: [], provided: []),
      clock: nil,
      warningPolicy: .defaults,
      plan: CasePlan(item: item, stages: [StagePlan(units: [unit], limit: limit)])
    )
  }

  func checkVersion(_ expected: Int) throws(DomainError) {
    guard expected == self.version else { throw .staleVersion(subject: self.subject, expected: expected, current: self.version) }
  }
}

func requireText(_ field: String, _ value: String) throws(DomainError) {
  guard !value.allSatisfy(\.isWhitespace) else { throw .invalidField(field, "must not be empty") }
}
