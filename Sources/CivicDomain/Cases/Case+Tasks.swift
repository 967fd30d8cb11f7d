extension Case {
  /// Applies a command to task `number` on behalf of `party`, a member of staff.
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
    var updated = task
    updated.version += 1
    var stageDone = false
    switch command {
    case .claim:
      updated.state = .claimed
      updated.claimedBy = staff
      change.emit(.taskClaimed(staff), task: number)
    case .approve(let opinion), .deny(let opinion):
      try requireText("opinion", opinion)
      let approved = if case .approve = command { true } else { false }
      updated.state = approved ? .approved : .denied
      updated.opinion = opinion
      updated.pendingExtension = nil  // a finished task needs no more time
      try updated.clock.stop(at: instant)
      change.emit(approved ? .taskApproved(opinion: opinion) : .taskDenied(opinion: opinion), task: number)
      stageDone = true
    case .returnToPreviousStage(let reason):
      try requireText("reason", reason)
      guard task.stage > 0 else { throw .precondition(task.subject, "is in the first stage; return needs a previous stage") }
      updated.state = .returned
      updated.pendingExtension = nil
      try updated.clock.stop(at: instant)
      change.emit(.taskReturned(toStage: task.stage - 1, reason: reason), task: number)
      change.next.tasks[number - 1] = updated
      try change.withdrawOpenTasks()
      try change.openStage(task.stage - 1)
      return change.finish()
    case .transfer(let target, let reason):
      try requireText("reason", reason)
      guard target != task.unit else { throw .invalidField("to", "is already the task's unit \(target)") }
      updated.unit = target
      updated.state = .pending
      updated.claimedBy = nil
      change.emit(.taskTransferred(from: task.unit, to: target, reason: reason), task: number)
    case .requestExtension(let added, let reason):
      try requireText("reason", reason)
      guard added.amount >= 1 else { throw .invalidField("added", "must be at least 1, got \(added)") }
      guard task.pendingExtension == nil else {
        throw .precondition(task.subject, "already has an extension request waiting for a decision")
      }
      updated.pendingExtension = ExtensionRequest(added: added, reason: reason, requestedBy: party, requestedAt: instant)
      change.emit(.extensionRequested(added, reason: reason), task: number)
    case .decideExtension(let approve, let note):
      guard let request = task.pendingExtension else { throw .precondition(task.subject, "has no extension request to decide") }
      guard request.requestedBy != party else {
        throw .precondition(task.subject, "an extension cannot be decided by the handler who asked for it")
      }
      if !approve { try requireText("note", note) }
      updated.pendingExtension = nil
      change.emit(.extensionDecided(approved: approve, note: note), task: number)
      if approve {
        let granted = ClockExtension(
          added: request.added,
          reason: request.reason,
          requestedBy: request.requestedBy,
          approvedBy: staff,
          approvedAt: instant
        )
        try updated.clock.extend(granted)
        change.emit(.clockExtended(request.added), task: number)
        // The case's promise grows with its task's, or the case would turn overdue on time granted.
        try change.updateClock(.clockExtended(request.added)) { (clock: inout WorkClock) throws(DomainError) in try clock.extend(granted) }
      }
    }
    change.next.tasks[number - 1] = updated
    if stageDone { try change.finishStageIfDone() }
    return change.finish()
  }
}

extension CaseTransition {
  /// After a task of the current stage finished: if none is open any more, opens the next stage
  /// or completes the case.
  mutating func finishStageIfDone() throws(DomainError) {
    let current = self.next.currentTasks
    guard !current.contains(where: \.state.isOpen), let stage = self.next.currentStage else { return }
    if current.contains(where: { $0.state == .denied }) {
      try self.complete(.denied(opinions: self.consolidatedOpinions()))
    } else if stage + 1 < self.next.plan!.stages.count {
      try self.openStage(stage + 1)
    } else {
      try self.complete(.approved(opinions: self.consolidatedOpinions()))
    }
  }

  /// Closes the other open tasks of the current stage after one of them returned the case.
  mutating func withdrawOpenTasks() throws(DomainError) {
    for task in self.next.currentTasks where task.state.isOpen {
      var withdrawn = task
      withdrawn.state = .withdrawn
      withdrawn.version += 1
      withdrawn.pendingExtension = nil
      try withdrawn.clock.stop(at: self.at)
      self.next.tasks[task.number - 1] = withdrawn
      self.emit(.taskWithdrawn, task: task.number)
    }
  }

  /// The decisions that stand: for each stage reached, those of its latest opening, by task number.
  func consolidatedOpinions() -> [TaskOpinion] {
    let tasks = self.next.tasks
    return tasks.filter { task in
      let latest = tasks.filter { $0.stage == task.stage }.map(\.opening).max()
      return task.opening == latest && (task.state == .approved || task.state == .denied)
    }
    .map { TaskOpinion(task: $0.number, unit: $0.unit, approved: $0.state == .approved, opinion: $0.opinion ?? "") }
  }
}
