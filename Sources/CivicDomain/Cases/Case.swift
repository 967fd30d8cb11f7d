/// A case (办件): something taken in once, processed by units in stages of tasks, each on a
/// working-day clock. A plain value; every change goes through `applying` and returns a
/// `CaseChange` with the new value and the timeline events it produced.
public struct Case: Sendable, Hashable, Codable {
  public let id: CaseID
  public let kind: String
  /// The catalogue item version the case was taken in with; it never changes.
  public let item: ItemRef
  public let channel: IntakeChannel
  public let applicant: String
  public internal(set) var state: CaseState
  /// Raised by every change to the case's own fields (state, clock, stage, materials).
  public internal(set) var version: Int = 1
  public internal(set) var materials: MaterialChecklist
  /// When materials missing at a 容缺 acceptance are due.
  public internal(set) var missingMaterialsDueBy: CivilDate?
  /// The promised limit; nil for an immediate item.
  public internal(set) var clock: WorkClock?
  /// When the case's and its tasks' clocks turn yellow: the item version's policy.
  public let warningPolicy: WarningPolicy
  public internal(set) var plan: CasePlan?
  /// Index of the stage being processed.
  public internal(set) var currentStage: Int?
  /// How many times a stage has been opened; the current stage's tasks carry this number.
  public internal(set) var stageOpenings: Int = 0
  public internal(set) var tasks: [CaseTask] = []
  public internal(set) var result: CaseResult?
  public internal(set) var refusalReason: String?
  public internal(set) var delivery: DeliveryMethod?

  public var subject: String { "case \(self.id)" }

  /// The tasks of the current opening of the current stage.
  public var currentTasks: [CaseTask] { self.tasks.filter { $0.opening == self.stageOpenings && self.currentStage == $0.stage } }

  public func task(_ number: Int) throws(DomainError) -> CaseTask {
    guard self.tasks.indices.contains(number - 1) else { throw .notFound("task \(number) of case \(self.id)") }
    return self.tasks[number - 1]
  }

  /// Takes in an application for a published item version through an allowed channel.
  ///
  /// A promised item's case clock starts now (receipt) with the promised limit; working days count
  /// from the next day (see docs/CALENDAR.md). An immediate item has no clock.
  public static func submit(
    id: CaseID,
    policy: CasePolicy,
    item: CatalogItemVersion,
    channel: IntakeChannel,
    applicant: String,
    provided: Set<String>,
    at instant: Instant,
    by party: Party
  ) throws(DomainError) -> CaseChange {
    guard !id.rawValue.isEmpty else { throw .invalidField("id", "must not be empty") }
    guard !applicant.isEmpty else { throw .invalidField("applicant", "must not be empty") }
    let materials = try item.intake(channel: channel, provided: provided)
    let days = item.definition.promisedWorkingDays
    let new = Case(
      id: id,
      kind: policy.kind,
      item: item.ref,
      channel: channel,
      applicant: applicant,
      state: policy.initial,
      materials: materials,
      clock: item.definition.kind == .promised ? try WorkClock(limit: .workingDays(days), start: instant) : nil,
      warningPolicy: item.definition.warningPolicy,
      plan: item.definition.kind == .promised ? item.plan : nil
    )
    return CaseChange(case: new, events: [TimelineEvent(at: instant, by: party, kind: .submitted(item: item.ref, channel: channel))])
  }
}

/// The result of a transition: the new case and the events it produced, in order.
public struct CaseChange: Sendable, Hashable {
  public let `case`: Case
  public let events: [TimelineEvent]

  /// This change followed by `next`, a change applied to this change's case: one transition.
  public func followed(by next: CaseChange) -> CaseChange {
    CaseChange(case: next.case, events: self.events + next.events)
  }
}
