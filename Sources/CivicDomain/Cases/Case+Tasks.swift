extension Case {
  /// Applies a command to task `number` on behalf of `party`, a member of staff, under the
  /// case's kind's `policy` (`CaseKinds.named(kind)`): any kind's tasks follow this one lifecycle.
  ///
  /// A task belongs to its unit: staff of another unit get `notFound`, as if it did not exist
  /// (a supervisor deciding an extension is the exception; the service checks that role).
  /// `expectedVersion` is the task's version. When the last open task of a stage finishes, the
  /// next stage opens, or the case completes: denied with every unit's opinion when a task of
  /// the stage was denied, approved after the last stage otherwise.
  public func applying(
    _ command: TaskCommand,
    toTask number: Int,
    expectedVersion: Int,
    policy: CasePolicy,
    at instant: Instant,
    by party: Party
  ) throws(DomainError) -> CaseChange {
    guard case .staff(let staff, let unit) = party else { throw .invalidField("by", "task commands need a member of staff") }
    let task = try self.task(number)
    if case .decideExtension = command {} else if unit != task.unit { throw .notFound("task \(number) of case \(self.id)") }
    guard expectedVersion == task.version else {
      throw .staleVersion(subject: task.subject, expected: expectedVersion, current: task.version)
    }
    guard command.allowed.contains(task.state) else {
      throw .illegalState(subject: task.subject, state: task.state.rawValue, action: command.name, allowed: command.allowed.map(\.rawValue))
    }
    if task.state == .claimed, task.claimedBy != staff, command.needsHandler {
      throw .precondition(task.subject, "is claimed by \(task.claimedBy!); \(command.name) needs its handler")
    }
    var change = try CaseTransition(self, policy: policy, at: instant, by: party)
    switch command {
    case .claim:
      try change.claimTask(number, by: staff)
    case .approve(let opinion), .deny(let opinion):
      try requireText("opinion", opinion)
      let approved = if case .approve = command { true } else { false }
      try change.decideTask(number, approved: approved, opinion: opinion)
      try change.finishStageIfDone()
    case .returnToPreviousStage(let reason):
      try requireText("reason", reason)
      guard task.stage > 0 else { throw .precondition(task.subject, "is in the first stage; return needs a previous stage") }
      try change.closeTask(number, as: .returned, event: .taskReturned(toStage: task.stage - 1, reason: reason))
      try change.withdrawOpenTasks()
      try change.openStage(task.stage - 1)
    case .transfer(let target, let reason):
      try requireText("reason", reason)
      guard target != task.unit else { throw .invalidField("to", "is already the task's unit \(target)") }
      try change.updateTask(number) { (task: inout CaseTask) throws(DomainError) in
        task.unit = target
        task.state = .pending
        task.claimedBy = nil
      }
      change.emit(.taskTransferred(from: task.unit, to: target, reason: reason), task: number)
    case .requestExtension(let added, let reason):
      try requireText("reason", reason)
      guard added.amount >= 1 else { throw .invalidField("added", "must be at least 1, got \(added)") }
      guard task.pendingExtension == nil else {
        throw .precondition(task.subject, "already has an extension request waiting for a decision")
      }
      try change.updateTask(number) { (task: inout CaseTask) throws(DomainError) in
        task.pendingExtension = ExtensionRequest(added: added, reason: reason, requestedBy: party, requestedAt: instant)
      }
      change.emit(.extensionRequested(added, reason: reason), task: number)
    case .decideExtension(let approve, let note):
      guard let request = task.pendingExtension else { throw .precondition(task.subject, "has no extension request to decide") }
      guard request.requestedBy != party else {
        throw .precondition(task.subject, "an extension cannot be decided by the handler who asked for it")
      }
      if !approve { try requireText("note", note) }
      let granted = ClockExtension(
        added: request.added,
        reason: request.reason,
        requestedBy: request.requestedBy,
        approvedBy: staff,
        approvedAt: instant
      )
      try change.updateTask(number) { (task: inout CaseTask) throws(DomainError) in
        task.pendingExtension = nil
        if approve { try task.clock.extend(granted) }
      }
      change.emit(.extensionDecided(approved: approve, note: note), task: number)
      if approve {
        change.emit(.clockExtended(request.added), task: number)
        // The case's promise grows with its task's, or the case would turn overdue on time granted.
        try change.updateClock(.clockExtended(request.added)) { (clock: inout WorkClock) throws(DomainError) in try clock.extend(granted) }
      }
    }
    return change.finish()
  }
}
