/// Where a task is. Tasks follow one table for every kind of case.
public enum TaskState: String, Sendable, Hashable, Codable {
  /// Waiting for a handler of its unit to claim it.
  case pending
  case claimed
  case approved
  case denied
  /// Its handler sent the case back to the previous stage.
  case returned
  /// Closed unfinished because another task of its stage returned the case.
  case withdrawn

  public var isOpen: Bool { self == .pending || self == .claimed }
}

/// An extension a handler asked for, waiting for a supervisor.
public struct ExtensionRequest: Sendable, Hashable, Codable {
  public let added: WorkingLimit
  public let reason: String
  public let requestedBy: Party
  public let requestedAt: Instant
}

/// The work one unit does for one stage of a case (联办任务), on its own clock.
public struct CaseTask: Sendable, Hashable, Codable {
  /// Numbered from 1 within its case.
  public let number: Int
  /// Index of its stage in the plan.
  public let stage: Int
  /// Which opening of a stage it belongs to: a stage reopened after a return gets new tasks.
  public let opening: Int
  public internal(set) var unit: UnitID
  public internal(set) var state: TaskState = .pending
  public internal(set) var version: Int = 1
  public internal(set) var claimedBy: StaffID?
  public internal(set) var opinion: String?
  public internal(set) var clock: WorkClock
  public internal(set) var pendingExtension: ExtensionRequest?

  public var subject: String { "task \(self.number)" }
}

/// What a handler or supervisor does to a task.
public enum TaskCommand: Sendable, Hashable {
  case claim
  case approve(opinion: String)
  case deny(opinion: String)
  case returnToPreviousStage(reason: String)
  case transfer(to: UnitID, reason: String)
  case requestExtension(WorkingLimit, reason: String)
  /// A supervisor's decision; the service checks the caller holds that role.
  case decideExtension(approve: Bool, note: String)

  var name: String {
    switch self {
    case .claim: return "claim"
    case .approve: return "approve"
    case .deny: return "deny"
    case .returnToPreviousStage: return "return"
    case .transfer: return "transfer"
    case .requestExtension: return "requestExtension"
    case .decideExtension: return "decideExtension"
    }
  }

  /// Whether only the handler who claimed the task may give the command while it is claimed.
  var needsHandler: Bool {
    switch self {
    case .claim, .decideExtension: return false
    case .approve, .deny, .returnToPreviousStage, .transfer, .requestExtension: return true
    }
  }

  /// The task states the command needs.
  var allowed: [TaskState] {
    switch self {
    case .claim: return [.pending]
    case .transfer, .decideExtension: return [.pending, .claimed]
    case .approve, .deny, .returnToPreviousStage, .requestExtension: return [.claimed]
    }
  }
}
