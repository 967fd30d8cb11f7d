extension IndicatorSet {
  /// Indicators 9–11 of docs/METRICS.md: citizens' requests, attributed to the unit of each tier.
  static func requestFigures(_ inputs: IndicatorInputs, for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> [Figure] {
    func inPeriod(_ instant: Instant?) -> Bool {
      guard let instant else { return false }
      return window.contains(instant) && instant <= asOf
    }
    let tiers = inputs.requestTiers.filter { selector.matches($0.unitPath) && inPeriod($0.leftAt) }
      .sorted { ($0.caseID, $0.tier) < ($1.caseID, $1.tier) }
    func rows(counting outcome: RequestTierFact.Outcome) -> [DrillRow] {
      tiers.map {
        DrillRow(caseID: $0.caseID, counted: $0.outcome == outcome, note: "\($0.tier.rawValue): \($0.outcome?.rawValue ?? "open")")
      }
    }
    // 11. A reply is owed when due in P (and by asOf) or given in P; a task closed unanswered
    // before its deadline (the tier escalated in time) owed none.
    var replies: [DrillRow] = []
    for fact in inputs.requestReplies.filter({ selector.matches($0.unitPath) }).sorted(by: { ($0.caseID, $0.task) < ($1.caseID, $1.task) })
    {
      if let closed = fact.closedUnansweredAt, closed <= fact.dueAt, closed <= asOf { continue }
      let replied = fact.repliedAt.flatMap { $0 <= asOf ? $0 : nil }
      guard (window.contains(fact.dueAt) && fact.dueAt <= asOf) || inPeriod(replied) else { continue }
      let onTime = replied.map { $0 <= fact.dueAt } ?? false
      let note = "task \(fact.task): " + (replied.map { $0 <= fact.dueAt ? "replied on time" : "replied late" } ?? "no reply")
      replies.append(DrillRow(caseID: fact.caseID, counted: onTime, note: note))
    }
    return [
      rate(.requestResolutionRate, rows(counting: .resolved)),
      rate(.requestEscalationRate, rows(counting: .escalated)),
      rate(.requestOnTimeReplyRate, replies),
    ]
  }
}
