/// The one task lifecycle every kind uses: a task is opened with its stage, claimed, changed,
/// and closed (approved, denied, returned or withdrawn) here and nowhere else, so closing a
/// task always stops its clock, drops a pending extension, raises its version once and emits
/// its event.
extension CaseTransition {
  /// Changes task `number` once: its version rises by one whatever `body` changes.
  mutating func updateTask(_ number: Int, _ body: (inout CaseTask) throws(DomainError) -> Void) throws(DomainError) {
    var task = try self.next.task(number)
    try body(&task)
    task.version += 1
    self.next.tasks[number - 1] = task
  }

  /// A handler of the task's unit takes the task.
  mutating func claimTask(_ number: Int, by staff: StaffID) throws(DomainError) {
    try self.updateTask(number) { (task: inout CaseTask) throws(DomainError) in
      task.state = .claimed
      task.claimedBy = staff
    }
    self.emit(.taskClaimed(staff), task: number)
  }

  /// Closes task `number` in `state` with `event`: its clock stops and an extension request
  /// waiting for a decision lapses (a finished task needs no more time).
  mutating func closeTask(_ number: Int, as state: TaskState, opinion: String? = nil, event: TimelineEvent.Kind) throws(DomainError) {
    let at = self.at
    try self.updateTask(number) { (task: inout CaseTask) throws(DomainError) in
      task.state = state
      if let opinion { task.opinion = opinion }
      task.pendingExtension = nil
      try task.clock.stop(at: at)
    }
    self.emit(event, task: number)
  }

  /// The task's unit decided: approved (or, for an order or a rectification, answered) or denied.
  mutating func decideTask(_ number: Int, approved: Bool, opinion: String) throws(DomainError) {
    try self.closeTask(
      number,
      as: approved ? .approved : .denied,
      opinion: opinion,
      event: approved ? .taskApproved(opinion: opinion) : .taskDenied(opinion: opinion)
    )
  }

  /// Closes task `number` unfinished if it is still open (a return elsewhere in its stage, an
  /// escalated order, a voided rectification).
  mutating func withdrawTask(_ number: Int) throws(DomainError) {
    guard try self.next.task(number).state.isOpen else { return }
    try self.closeTask(number, as: .withdrawn, event: .taskWithdrawn)
  }

  /// Opens stage `index` of the plan: one new task per unit, each on a fresh clock of its own
  /// limit (`StagePlan.limit(ofTaskAt:)`: the stage's, unless the plan gives the task one).
  ///
  /// A stage opened again after a return goes to the units that held its tasks last time, so
  /// transfers made then are kept; each keeps the limit of its place in the stage.
  mutating func openStage(_ index: Int) throws(DomainError) {
    let stage = self.next.plan!.stages[index]
    let previous = self.next.tasks.filter { $0.stage == index }
    let lastOpening = previous.map(\.opening).max()
    let units = lastOpening.map { opening in previous.filter { $0.opening == opening }.map(\.unit) } ?? stage.units
    self.next.stageOpenings += 1
    self.next.currentStage = index
    self.caseChanged = true
    self.emit(.stageOpened(stage: index))
    for (position, unit) in units.enumerated() {
      let number = self.next.tasks.count + 1
      let limit = stage.limit(ofTaskAt: position)
      let clock = try WorkClock(limit: limit, start: self.at)
      self.next.tasks.append(CaseTask(number: number, stage: index, opening: self.next.stageOpenings, unit: unit, clock: clock))
      self.emit(.taskCreated(unit: unit, limit: limit), task: number)
    }
  }

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
      try self.withdrawTask(task.number)
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
