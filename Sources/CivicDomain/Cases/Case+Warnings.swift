/// The warning levels of a case's clock and of its open tasks' clocks at one instant.
public struct CaseWarnings: Sendable, Hashable {
  /// Nil for a case without a clock (an immediate item).
  public let `case`: WarningStatus?
  /// By task number, for the tasks still open.
  public let tasks: [Int: WarningStatus]

  /// The earliest instant at which any of these levels changes: what a sweeper indexes the case on.
  public var nextChange: Instant? {
    ([self.case?.nextChange] + self.tasks.values.map(\.nextChange)).compactMap { $0 }.min()
  }
}

/// What a case's warning levels depend on: its clock, its tasks' clocks and its item's warning
/// policy. Decodable from a case snapshot, or from the part of it the sweeper selects, so the
/// sweeper need not decode whole cases.
public struct CaseClocks: Sendable, Hashable, Codable {
  public struct TaskClock: Sendable, Hashable, Codable {
    public let number: Int
    public let state: TaskState
    public let clock: WorkClock
    /// The unit the task is assigned to, which the sweep alerts; nil in clocks stored before
    /// the format held it (format 1).
    public internal(set) var unit: UnitID? = nil
  }

  public let clock: WorkClock?
  public let warningPolicy: WarningPolicy
  public let tasks: [TaskClock]

  init(clock: WorkClock?, warningPolicy: WarningPolicy, tasks: [TaskClock]) {
    self.clock = clock
    self.warningPolicy = warningPolicy
    self.tasks = tasks
  }

  public init(_ value: Case) {
    self.clock = value.clock
    self.warningPolicy = value.warningPolicy
    self.tasks = value.tasks.map { TaskClock(number: $0.number, state: $0.state, clock: $0.clock, unit: $0.unit) }
  }

  /// The warning levels at `instant` under `calendar`: the case clock's and each open task's.
  public func warnings(at instant: Instant, in calendar: WorkingCalendar) throws(DomainError) -> CaseWarnings {
    var tasks: [Int: WarningStatus] = [:]
    for task in self.tasks where task.state.isOpen {
      tasks[task.number] = try task.clock.warning(at: instant, in: calendar, policy: self.warningPolicy)
    }
    return CaseWarnings(case: try self.clock?.warning(at: instant, in: calendar, policy: self.warningPolicy), tasks: tasks)
  }
}

extension Case {
  /// The warning levels at `instant` under `calendar` and the case's item warning policy.
  public func warnings(at instant: Instant, in calendar: WorkingCalendar) throws(DomainError) -> CaseWarnings {
    try CaseClocks(self).warnings(at: instant, in: calendar)
  }
}
