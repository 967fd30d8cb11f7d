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

extension Case {
  /// The warning levels at `instant` under `calendar` and the case's item warning policy.
  public func warnings(at instant: Instant, in calendar: WorkingCalendar) throws(DomainError) -> CaseWarnings {
    var tasks: [Int: WarningStatus] = [:]
    for task in self.tasks where task.state.isOpen {
      tasks[task.number] = try task.clock.warning(at: instant, in: calendar, policy: self.warningPolicy)
    }
    return CaseWarnings(case: try self.clock?.warning(at: instant, in: calendar, policy: self.warningPolicy), tasks: tasks)
  }
}
