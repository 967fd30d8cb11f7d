/// What the warning sweep knows of one due case: the levels recorded last time and the
/// levels its clocks have now.
public struct SweptCase: Sendable, Hashable {
  /// An open task as recorded: its number, its unit and the level recorded last time.
  public struct OpenTask: Sendable, Hashable {
    public var number: Int
    public var unit: AlertUnit
    public var storedLevel: WarningLevel

    public init(number: Int, unit: AlertUnit, storedLevel: WarningLevel) {
      self.number = number
      self.unit = unit
      self.storedLevel = storedLevel
    }
  }

  /// The public case number ("C00000042"), as alerts name the case.
  public var number: String
  /// The unit that took the case in; alerts on the case's own clock go to it.
  public var unit: AlertUnit
  /// Whether an overdue clock proposes a supervision order (not for orders themselves).
  public var proposesOrders: Bool
  /// Whether its kind may apply a command to a task whose clock ran out (`CaseKind.givesOverdueCommands`).
  public var givesOverdueCommands: Bool
  /// The case level recorded last time.
  public var storedLevel: WarningLevel
  /// The case clock's status now; nil for a case without a clock.
  public var clock: WarningStatus?
  /// The status now of every task clock, by task number.
  public var taskClocks: [Int: WarningStatus]
  /// The case's open tasks as recorded.
  public var openTasks: [OpenTask]

  public init(
    number: String,
    unit: AlertUnit,
    proposesOrders: Bool,
    givesOverdueCommands: Bool = false,
    storedLevel: WarningLevel,
    clock: WarningStatus?,
    taskClocks: [Int: WarningStatus],
    openTasks: [OpenTask]
  ) {
    self.number = number
    self.unit = unit
    self.proposesOrders = proposesOrders
    self.givesOverdueCommands = givesOverdueCommands
    self.storedLevel = storedLevel
    self.clock = clock
    self.taskClocks = taskClocks
    self.openTasks = openTasks
  }
}
