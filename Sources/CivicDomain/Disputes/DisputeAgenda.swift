/// The weekly meeting's agenda (周例会) from the open disputes: what needs the meeting's
/// attention, most pressing first (docs/DISPUTES.md, "Meeting agenda").
///
/// A dispute is on the agenda when its risk is high or major, a route's clock is overdue, or
/// a failed round escalated it (a new review is due). Order: risk (major, high, then the
/// rest), then more overdue routes, then escalated before not, then the oldest dispute first.
public enum DisputeAgenda {
  /// What the agenda needs to know of one open dispute.
  public struct Entry: Sendable, Hashable {
    public let caseID: Int64
    public let risk: RiskLevel?
    /// Task numbers of routes whose clocks are overdue now.
    public let overdueTasks: [Int]
    public let escalated: Bool

    public init(caseID: Int64, risk: RiskLevel?, overdueTasks: [Int], escalated: Bool) {
      self.caseID = caseID
      self.risk = risk
      self.overdueTasks = overdueTasks
      self.escalated = escalated
    }
  }

  public struct Item: Sendable, Hashable {
    public let caseID: Int64
    /// Why it is on the agenda: `major risk`, `route #2 overdue`, `escalated: a new review is due`.
    public let reasons: [String]
  }

  public static func items(_ entries: [Entry]) -> [Item] {
    func pressing(_ risk: RiskLevel?) -> Int { risk.map { $0 >= .high ? RiskLevel.allCases.firstIndex(of: $0)! : 0 } ?? 0 }
    return entries
      .filter { pressing($0.risk) > 0 || !$0.overdueTasks.isEmpty || $0.escalated }
      .sorted {
        (-pressing($0.risk), -$0.overdueTasks.count, $0.escalated ? 0 : 1, $0.caseID)
          < (-pressing($1.risk), -$1.overdueTasks.count, $1.escalated ? 0 : 1, $1.caseID)
      }
      .map { entry in
        var reasons: [String] = []
        if let risk = entry.risk, risk >= .high { reasons.append("\(risk.rawValue) risk") }
        reasons += entry.overdueTasks.sorted().map { "route #\($0) overdue" }
        if entry.escalated { reasons.append("escalated: a new review is due") }
        return Item(caseID: entry.caseID, reasons: reasons)
      }
  }
}
