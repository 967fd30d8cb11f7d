/// One entry of a case's timeline, produced by a transition; the store gives it a global
/// sequence number when it writes it to the outbox.
public struct TimelineEvent: Sendable, Hashable, Codable {
  public let at: Instant
  public let by: Party
  /// The task the event is about, or nil for the case itself.
  public let task: Int?
  public let kind: Kind

  public init(at: Instant, by: Party, task: Int? = nil, kind: Kind) {
    self.at = at
    self.by = by
    self.task = task
    self.kind = kind
  }

  public enum Kind: Sendable, Hashable, Codable {
    case submitted(item: ItemRef, channel: IntakeChannel)
    case stateChanged(from: CaseState, to: CaseState, action: CaseAction)
    case supplementRequested(missing: [String])
    case materialsProvided([String])
    case acceptedWithMissingMaterials(missing: [String], dueBy: CivilDate)
    case refused(reason: String)
    case clockPaused(PauseReason)
    case clockResumed
    case clockStopped
    case clockExtended(WorkingLimit)
    case stageOpened(stage: Int)
    case taskCreated(unit: UnitID, limit: WorkingLimit)
    case taskClaimed(StaffID)
    case taskApproved(opinion: String)
    case taskDenied(opinion: String)
    case taskReturned(toStage: Int, reason: String)
    case taskWithdrawn
    case taskTransferred(from: UnitID, to: UnitID, reason: String)
    case extensionRequested(WorkingLimit, reason: String)
    case extensionDecided(approved: Bool, note: String)
    case completed(CaseResult)
    case delivered(DeliveryMethod)
    /// 回访: the return visit of a rectification; whether the citizen is now satisfied.
    case returnVisited(satisfied: Bool, note: String)
  }
}

/// How the result reaches the applicant.
public enum DeliveryMethod: String, Sendable, Hashable, Codable {
  case pickup, mail, electronic
}

/// The decision of a completed case.
public enum CaseResult: Sendable, Hashable, Codable {
  case approved(opinions: [TaskOpinion])
  /// Denied, with the opinions of every unit that decided (consolidated opinions).
  case denied(opinions: [TaskOpinion])
}

/// What one unit decided on its task.
public struct TaskOpinion: Sendable, Hashable, Codable {
  public let task: Int
  public let unit: UnitID
  public let approved: Bool
  public let opinion: String

  public init(task: Int, unit: UnitID, approved: Bool, opinion: String) {
    self.task = task
    self.unit = unit
    self.approved = approved
    self.opinion = opinion
  }
}
