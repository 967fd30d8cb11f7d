import CivicDomain
import Testing

/// The warning sweep's rules as values: recorded levels and levels now in, alerts, levels
/// and order proposals out.
@Suite("Warning sweep rules", .timeLimit(.minutes(1)))
struct WarningSweepRulesTests {
  static let intake = AlertUnit(id: 1, path: "1", code: "CITY-HALL")
  static let office = AlertUnit(id: 2, path: "1.2", code: "PERMITS")
  static let later = Instant(secondsSinceEpoch: 2_000_000_000)

  static func swept(
    stored: WarningLevel = .green,
    clock: WarningLevel?,
    tasks: [Int: WarningLevel] = [:],
    open: [SweptCase.OpenTask] = [],
    proposesOrders: Bool = true,
    givesOverdueCommands: Bool = false
  ) -> SweptCase {
    SweptCase(
      number: "C00000042",
      unit: Self.intake,
      proposesOrders: proposesOrders,
      givesOverdueCommands: givesOverdueCommands,
      storedLevel: stored,
      clock: clock.map { WarningStatus(level: $0, nextChange: Self.later) },
      taskClocks: tasks.mapValues { WarningStatus(level: $0, nextChange: nil) },
      openTasks: open
    )
  }

  @Test("no change, no alert; the case keeps its clock's level")
  func unchanged() {
    let decision = WarningSweepRules.decide(Self.swept(stored: .yellow, clock: .yellow))
    #expect(decision.alerts.isEmpty)
    #expect(decision.orderProposals.isEmpty)
    #expect(decision.changes == 0)
    #expect(decision.caseLevel == .yellow)
  }

  @Test("green to yellow: one change and its urge (催办), addressed to the intake unit")
  func turnsYellow() {
    let decision = WarningSweepRules.decide(Self.swept(clock: .yellow))
    #expect(decision.alerts.map(\.kind) == [.warning, .urge])
    #expect(decision.alerts.allSatisfy { $0.unit == Self.intake && $0.task == 0 && $0.previousLevel == .green })
    #expect(decision.alerts[0].summary == "case C00000042 at CITY-HALL: green → yellow")
    #expect(decision.alerts[1].summary == "催办: case C00000042 is close to its deadline")
    #expect(decision.changes == 1)
    #expect(decision.urges == 1)
  }

  @Test("a late sweep from green to overdue records every level in between, the urge, and an order proposal")
  func skipsLevels() {
    let decision = WarningSweepRules.decide(Self.swept(clock: .overdue))
    #expect(decision.alerts.map(\.kind) == [.warning, .urge, .warning, .warning])
    #expect(decision.alerts.filter { $0.kind == .warning }.map(\.level) == [.yellow, .red, .overdue])
    #expect(decision.alerts.filter { $0.kind == .warning }.map(\.previousLevel) == [.green, .yellow, .red])
    #expect(decision.changes == 3)
    #expect(decision.orderProposals.count == 1)
    #expect(decision.orderProposals[0].summary == "case C00000042 at CITY-HALL is overdue: a supervision order is proposed")
    #expect(decision.caseLevel == .overdue)
  }

  @Test("a falling level (an extension) is one change and no urge")
  func falls() {
    let decision = WarningSweepRules.decide(Self.swept(stored: .red, clock: .green))
    #expect(decision.alerts.map(\.level) == [.green])
    #expect(decision.alerts.map(\.previousLevel) == [.red])
    #expect(decision.urges == 0)
  }

  @Test("an order's overdue clock proposes no order")
  func ordersProposeNoOrders() {
    let decision = WarningSweepRules.decide(Self.swept(stored: .red, clock: .overdue, proposesOrders: false))
    #expect(decision.orderProposals.isEmpty)
    #expect(decision.changes == 1)
  }

  @Test("an open task's change is addressed to its unit and recorded as its level; closed tasks are not")
  func tasks() {
    let open = [SweptCase.OpenTask(number: 2, unit: Self.office, storedLevel: .green)]
    let decision = WarningSweepRules.decide(Self.swept(clock: .green, tasks: [2: .red, 3: .overdue], open: open))
    #expect(decision.alerts.filter { $0.kind == .warning }.map(\.level) == [.yellow, .red])
    #expect(decision.alerts.allSatisfy { $0.task == 2 && $0.unit == Self.office })
    #expect(decision.alerts[0].summary == "task 2 of case C00000042 at PERMITS: green → yellow")
    #expect(decision.taskLevels == [2: .red])
    #expect(decision.orderProposals.isEmpty)
    #expect(decision.caseLevel == .green, "the case clock decides the case level")
  }

  @Test("a task whose clock just ran out is handed to its kind's overdue command only when the kind gives one")
  func overdueCommandTasks() {
    let open = [1, 2, 3].map { SweptCase.OpenTask(number: $0, unit: Self.office, storedLevel: $0 == 3 ? .overdue : .red) }
    let tasks: [Int: WarningLevel] = [1: .overdue, 2: .red, 3: .overdue]
    let request = WarningSweepRules.decide(Self.swept(clock: nil, tasks: tasks, open: open, givesOverdueCommands: true))
    #expect(request.overdueCommandTasks == [1], "task 2 is not overdue; task 3 was overdue already")
    let application = WarningSweepRules.decide(Self.swept(clock: nil, tasks: tasks, open: open))
    #expect(application.overdueCommandTasks.isEmpty)
    #expect(application.taskLevels == [1: .overdue], "the level is recorded all the same")
  }

  @Test("a case without a clock takes its most urgent task's level, or green")
  func caseWithoutClock() {
    #expect(WarningSweepRules.decide(Self.swept(clock: nil, tasks: [1: .yellow, 2: .red])).caseLevel == .red)
    #expect(WarningSweepRules.decide(Self.swept(clock: nil)).caseLevel == .green)
  }

  @Test("steps between levels", arguments: [
    (WarningLevel.green, WarningLevel.red, [WarningLevel.yellow, .red]),
    (.yellow, .overdue, [.red, .overdue]),
    (.overdue, .yellow, [.yellow]),
  ])
  func steps(from old: WarningLevel, to new: WarningLevel, expected: [WarningLevel]) {
    #expect(WarningSweepRules.steps(from: old, to: new) == expected)
  }
}
