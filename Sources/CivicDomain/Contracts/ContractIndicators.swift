/// A contract's indicators, computed from the tasks assigned under it: how many, how many
/// finished and on time, and the satisfaction of the cases that were rated or visited.
public struct ContractIndicators: Sendable, Hashable {
  public var tasks: Int
  public var finished: Int
  public var onTime: Int
  /// Cases of its tasks with a rating (好差评) or a return visit's verdict.
  public var judged: Int
  public var satisfied: Int

  public init(tasks: Int, finished: Int, onTime: Int, judged: Int, satisfied: Int) {
    self.tasks = tasks
    self.finished = finished
    self.onTime = onTime
    self.judged = judged
    self.satisfied = satisfied
  }

  /// On-time share of finished tasks, nil before any finished.
  public var onTimeRate: Double? { self.finished == 0 ? nil : Double(self.onTime) / Double(self.finished) }

  /// Satisfied share of judged cases, nil before any was judged.
  public var satisfactionRate: Double? { self.judged == 0 ? nil : Double(self.satisfied) / Double(self.judged) }

  /// The targets not met so far (`tasks`, `on-time`, `satisfaction`); a target without data yet is not missed.
  public func missed(_ targets: ContractTargets) -> [String] {
    var missed: [String] = []
    if targets.tasks > 0, self.tasks < targets.tasks { missed.append("tasks") }
    if targets.onTimePercent > 0, let rate = self.onTimeRate, rate * 100 < Double(targets.onTimePercent) { missed.append("on-time") }
    if targets.satisfiedPercent > 0, let rate = self.satisfactionRate, rate * 100 < Double(targets.satisfiedPercent) {
      missed.append("satisfaction")
    }
    return missed
  }
}
