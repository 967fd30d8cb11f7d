/// The warning sweep's rules, pure: which alerts a due case's level changes make, which
/// levels to record, and which order proposals to make (docs/SUPERVISION.md). The sweeper
/// (CivicServices) reads the cases and writes what these rules decide.
public enum WarningSweepRules {
  /// What to record for one case.
  public struct Decision: Sendable, Hashable {
    /// Level changes and urges, in the order they happened.
    public var alerts: [WarningAlert] = []
    /// Order proposals for clocks that went overdue; each is recorded (and announced) only if
    /// no proposal exists yet for its clock.
    public var orderProposals: [WarningAlert] = []
    /// New levels of open tasks whose level changed, by task number.
    public var taskLevels: [Int: WarningLevel] = [:]
    /// Open tasks whose clock just ran out, in `openTasks` order, for a kind that gives a command
    /// then (`SweptCase.givesOverdueCommands`); empty for every other kind.
    public var overdueCommandTasks: [Int] = []
    /// The case's level: its clock's, or for a case without one (an order) its most urgent
    /// task's.
    public var caseLevel: WarningLevel = .green
    /// Level changes counted (one per level passed).
    public var changes = 0
    /// Urges among the alerts.
    public var urges = 0
  }

  public static func decide(_ swept: SweptCase) -> Decision {
    var decision = Decision()
    if let status = swept.clock, status.level != swept.storedLevel {
      self.record(task: 0, unit: swept.unit, from: swept.storedLevel, to: status.level, of: swept, into: &decision)
    }
    for task in swept.openTasks {
      guard let status = swept.taskClocks[task.number], status.level != task.storedLevel else { continue }
      self.record(task: task.number, unit: task.unit, from: task.storedLevel, to: status.level, of: swept, into: &decision)
      decision.taskLevels[task.number] = status.level
      if swept.givesOverdueCommands, status.level == .overdue { decision.overdueCommandTasks.append(task.number) }
    }
    decision.caseLevel = swept.clock?.level ?? swept.taskClocks.values.map(\.level).max() ?? .green
    return decision
  }

  /// The levels a change passes through: a late sweep that skips a level records the levels
  /// in between too, so a yellow urge is never lost; a level that falls (an extension) is one
  /// change.
  public static func steps(from old: WarningLevel, to new: WarningLevel) -> [WarningLevel] {
    new > old ? WarningLevel.allCases.filter { $0 > old && $0 <= new } : [new]
  }

  private static func record(
    task: Int,
    unit: AlertUnit,
    from old: WarningLevel,
    to new: WarningLevel,
    of swept: SweptCase,
    into decision: inout Decision
  ) {
    let subject = task == 0 ? "case \(swept.number)" : "task \(task) of case \(swept.number)"
    var previous = old
    for level in self.steps(from: old, to: new) {
      func alert(_ kind: WarningAlert.Kind, _ summary: String) -> WarningAlert {
        WarningAlert(kind: kind, task: task, unit: unit, level: level, previousLevel: previous, summary: summary)
      }
      decision.changes += 1
      decision.alerts.append(alert(.warning, "\(subject) at \(unit.code): \(previous) → \(level)"))
      if level == .yellow {
        decision.urges += 1
        decision.alerts.append(alert(.urge, "催办: \(subject) is close to its deadline"))
      }
      if level == .overdue, swept.proposesOrders {
        decision.orderProposals.append(alert(.orderProposed, "\(subject) at \(unit.code) is overdue: a supervision order is proposed"))
      }
      previous = level
    }
  }
}
