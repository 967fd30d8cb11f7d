/// Service applications (办件): submitted → accepted / refused / awaiting supplement (补正) /
/// accepted with missing materials (容缺) → in joint processing → completed (办结) → delivered.
extension Identifier where Tag == CaseStateTag {
  public static let submitted: CaseState = "submitted"
  public static let awaitingSupplement: CaseState = "awaitingSupplement"
  public static let accepted: CaseState = "accepted"
  public static let acceptedPendingMaterials: CaseState = "acceptedPendingMaterials"
  public static let refused: CaseState = "refused"
  public static let inProcessing: CaseState = "inProcessing"
  public static let completed: CaseState = "completed"
  public static let delivered: CaseState = "delivered"
}

extension Identifier where Tag == CaseActionTag {
  /// 受理: every required material is present.
  public static let accept: CaseAction = "accept"
  /// 容缺受理: only waivable materials are missing; they are due by a date.
  public static let acceptWithMissingMaterials: CaseAction = "acceptWithMissingMaterials"
  /// 不予受理: closes the case with a reason; the clock stops.
  public static let refuse: CaseAction = "refuse"
  /// 补正: asks the applicant for everything missing at once; the clock pauses.
  public static let requestSupplement: CaseAction = "requestSupplement"
  /// The applicant supplied what was asked; the clock resumes.
  public static let supplement: CaseAction = "supplement"
  /// The materials missing at a 容缺 acceptance arrived.
  public static let supplyMissingMaterials: CaseAction = "supplyMissingMaterials"
  /// 分流: the plan's first stage opens as tasks for its units.
  public static let dispatch: CaseAction = "dispatch"
  /// 即办: completed at the window.
  public static let completeAtWindow: CaseAction = "completeAtWindow"
  /// The result reached the applicant.
  public static let deliver: CaseAction = "deliver"
}

extension CasePolicy {
  public static let serviceApplication = try! CasePolicy(
    kind: "serviceApplication",
    initial: .submitted,
    transitions: [
      (.submitted, .accept, .accepted),
      (.submitted, .acceptWithMissingMaterials, .acceptedPendingMaterials),
      (.submitted, .refuse, .refused),
      (.submitted, .requestSupplement, .awaitingSupplement),
      (.awaitingSupplement, .supplement, .submitted),
      (.awaitingSupplement, .refuse, .refused),
      (.acceptedPendingMaterials, .supplyMissingMaterials, .accepted),
      (.inProcessing, .supplyMissingMaterials, .inProcessing),
      (.completed, .supplyMissingMaterials, .completed),
      (.accepted, .dispatch, .inProcessing),
      (.acceptedPendingMaterials, .dispatch, .inProcessing),
      (.accepted, .completeAtWindow, .completed),
      (.inProcessing, .complete, .completed),
      (.completed, .deliver, .delivered),
    ]
  )
}

/// What a clerk or the applicant does to an application as a whole.
public enum CaseCommand: Sendable, Hashable {
  case accept
  case acceptWithMissingMaterials(dueBy: CivilDate)
  case refuse(reason: String)
  case requestSupplement
  case supplement(provided: Set<String>)
  case supplyMissingMaterials(provided: Set<String>)
  case dispatch
  case completeAtWindow(opinion: String)
  case deliver(DeliveryMethod)
}

/// The kind of a service application, or of any kind run with its commands under another table
/// (a dispute's table, say).
public struct ServiceApplicationKind: CaseKind {
  public let policy: CasePolicy
  public let endStates: Set<CaseState>

  public init(policy: CasePolicy, endStates: Set<CaseState>) {
    self.policy = policy
    self.endStates = endStates
  }

  public static let serviceApplication = ServiceApplicationKind(policy: .serviceApplication, endStates: [.refused, .completed, .delivered])

  public var timelineEvents: Set<String> {
    Set<String>([
      "submitted", "stateChanged", "supplementRequested", "materialsProvided", "acceptedWithMissingMaterials", "refused",
      "clockPaused", "clockResumed", "clockStopped", "clockExtended", "stageOpened", "completed", "delivered",
    ]).union(TimelineEvent.Kind.taskLifecycleNames)
  }

  public var indicators: IndicatorContribution { .caseFacts }
  public var sideTables: [String] { ["case_idempotency_keys"] }

  public func action(of command: CaseCommand) -> CaseAction {
    switch command {
    case .accept: return .accept
    case .acceptWithMissingMaterials: return .acceptWithMissingMaterials
    case .refuse: return .refuse
    case .requestSupplement: return .requestSupplement
    case .supplement: return .supplement
    case .supplyMissingMaterials: return .supplyMissingMaterials
    case .dispatch: return .dispatch
    case .completeAtWindow: return .completeAtWindow
    case .deliver: return .deliver
    }
  }

  public func apply(_ command: CaseCommand, to change: inout CaseTransition) throws(DomainError) {
    let start = change.next
    let instant = change.at
    let missing = start.materials.missing
    switch command {
    case .accept:
      guard missing.isEmpty else {
        throw .precondition(start.subject, "materials \(missing.joined(separator: ", ")) are missing; accept needs none missing")
      }
    case .acceptWithMissingMaterials(let dueBy):
      switch start.materials.assessment {
      case .complete:
        throw .precondition(start.subject, "no material is missing; use accept")
      case .needsSupplement(let missing):
        throw .precondition(start.subject, "materials \(missing.joined(separator: ", ")) include some that may not be missing at acceptance")
      case .acceptableWithMissing(let missing):
        change.next.missingMaterialsDueBy = dueBy
        change.emit(.acceptedWithMissingMaterials(missing: missing, dueBy: dueBy))
      }
    case .refuse(let reason):
      try requireText("reason", reason)
      change.next.refusalReason = reason
      change.emit(.refused(reason: reason))
      try change.stopCaseClock()
    case .requestSupplement:
      guard !missing.isEmpty else { throw .precondition(start.subject, "no material is missing; requestSupplement needs something missing") }
      change.emit(.supplementRequested(missing: missing))
      try change.updateClock(.clockPaused(.awaitingSupplement)) { (clock: inout WorkClock) throws(DomainError) in
        try clock.pause(at: instant, reason: .awaitingSupplement, causedBy: .applicant)
      }
    case .supplement(let provided):
      try change.next.materials.add(provided)
      change.emit(.materialsProvided(provided.sorted()))
      try change.updateClock(.clockResumed) { (clock: inout WorkClock) throws(DomainError) in try clock.resume(at: instant) }
    case .supplyMissingMaterials(let provided):
      try change.next.materials.add(provided)
      let still = change.next.materials.missing
      guard still.isEmpty else { throw .precondition(start.subject, "materials \(still.joined(separator: ", ")) are still missing") }
      change.next.missingMaterialsDueBy = nil
      change.emit(.materialsProvided(provided.sorted()))
    case .dispatch:
      guard let plan = start.plan, !plan.stages.isEmpty else {
        throw .precondition(start.subject, "has no stages; dispatch needs a promised item")
      }
      try change.openStage(0)
    case .completeAtWindow(let opinion):
      try requireText("opinion", opinion)
      guard start.clock == nil else { throw .precondition(start.subject, "is a promised item; completeAtWindow needs an immediate item") }
      let unit: UnitID = if case .staff(_, let unit) = change.by { unit } else { "window" }
      let result = CaseResult.approved(opinions: [TaskOpinion(task: 0, unit: unit, approved: true, opinion: opinion)])
      change.next.result = result
      change.emit(.completed(result))
    case .deliver(let method):
      guard missing.isEmpty else {
        throw .precondition(start.subject, "materials \(missing.joined(separator: ", ")) are still missing; deliver needs them supplied")
      }
      change.next.delivery = method
      change.emit(.delivered(method))
    }
  }
}

extension Case {
  /// Applies an application command under `policy` (the service application's, or another
  /// table run with the same commands). Throws `staleVersion` when `expectedVersion` is not
  /// current, `illegalState` naming the state when the policy does not allow the command now,
  /// and `precondition` or `invalidField` when the command's data does not fit the case.
  public func applying(
    _ command: CaseCommand,
    expectedVersion: Int,
    policy: CasePolicy = .serviceApplication,
    at instant: Instant,
    by party: Party
  ) throws(DomainError) -> CaseChange {
    let kind = policy == .serviceApplication ? .serviceApplication : ServiceApplicationKind(policy: policy, endStates: [])
    return try self.applying(command, of: kind, expectedVersion: expectedVersion, at: instant, by: party)
  }
}
