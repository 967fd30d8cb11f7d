/// How a citizen's request left one of its tiers (docs/METRICS.md, indicators 9 and 10).
public struct RequestTierFact: Sendable, Hashable {
  public enum Outcome: String, Sendable, Hashable {
    /// The citizen accepted this tier's reply.
    case resolved
    /// The next tier took it (the tier escalated, its time ran out, or its reply was rejected twice).
    case escalated
    /// The citizen rejected the top tier's reply after its reopening.
    case unresolved
  }

  public let caseID: Int64
  public let tier: RequestTier
  /// Path of the tier's unit.
  public let unitPath: String
  /// How and when it left the tier; nil while it is still there.
  public let outcome: Outcome?
  public let leftAt: Instant?

  public init(caseID: Int64, tier: RequestTier, unitPath: String, outcome: Outcome?, leftAt: Instant?) {
    self.caseID = caseID
    self.tier = tier
    self.unitPath = unitPath
    self.outcome = outcome
    self.leftAt = leftAt
  }
}

/// One tier task of a request: the reply its unit owed (docs/METRICS.md, indicator 11).
public struct RequestReplyFact: Sendable, Hashable {
  public let caseID: Int64
  public let task: Int
  public let unitPath: String
  public let dueAt: Instant
  /// When the tier replied (its clock stopped with the reply).
  public let repliedAt: Instant?
  /// When the task closed without a reply (escalated).
  public let closedUnansweredAt: Instant?

  public init(caseID: Int64, task: Int, unitPath: String, dueAt: Instant, repliedAt: Instant?, closedUnansweredAt: Instant?) {
    self.caseID = caseID
    self.task = task
    self.unitPath = unitPath
    self.dueAt = dueAt
    self.repliedAt = repliedAt
    self.closedUnansweredAt = closedUnansweredAt
  }
}

extension Case {
  /// The request indicator facts of a `citizenRequest` case: one tier fact per tier reached
  /// (`tiers[i]` is stage i), one reply fact per tier task. `completedAt` is the case's first
  /// `completed` event (the citizen's final answer); `unitPaths` maps unit codes to paths
  /// (units it does not know are left out); `dueAt` is a task clock's deadline.
  public func requestIndicatorFacts(
    caseID: Int64,
    tiers: [RequestTier],
    completedAt: Instant?,
    unitPaths: [String: String],
    dueAt: (CaseTask) throws(DomainError) -> Instant
  ) throws(DomainError) -> (tiers: [RequestTierFact], replies: [RequestReplyFact]) {
    var tierFacts: [RequestTierFact] = []
    var replies: [RequestReplyFact] = []
    let reached = (self.tasks.map(\.stage).max() ?? -1) + 1
    for stage in 0..<min(reached, tiers.count) {
      let held = self.tasks.filter { $0.stage == stage }
      guard let last = held.last, let path = unitPaths[last.unit.rawValue] else { continue }
      let next = self.tasks.first { $0.stage == stage + 1 }
      var outcome: RequestTierFact.Outcome?
      var leftAt: Instant?
      if let next {
        (outcome, leftAt) = (.escalated, next.clock.start)
      } else if let completedAt, self.state == .completed || self.state == .unresolved {
        (outcome, leftAt) = (self.state == .completed ? .resolved : .unresolved, completedAt)
      }
      tierFacts.append(RequestTierFact(caseID: caseID, tier: tiers[stage], unitPath: path, outcome: outcome, leftAt: leftAt))
      for task in held {
        guard let taskPath = unitPaths[task.unit.rawValue] else { continue }
        replies.append(
          RequestReplyFact(
            caseID: caseID,
            task: task.number,
            unitPath: taskPath,
            dueAt: try dueAt(task),
            repliedAt: task.state == .approved ? task.clock.stoppedAt : nil,
            closedUnansweredAt: task.state == .denied || task.state == .withdrawn ? task.clock.stoppedAt : nil
          )
        )
      }
    }
    return (tierFacts, replies)
  }
}
