/// What an application's material checklist means for acceptance.
public enum IntakeAssessment: Sendable, Hashable {
  /// Everything required is there: accept (受理).
  case complete
  /// Only materials that may be missing at acceptance are missing: accept with missing materials (容缺受理) or ask for them.
  case acceptableWithMissing([String])
  /// Something that must be present is missing: ask for everything missing at once (补正).
  case needsSupplement([String])
}

/// A case's copy of the item's material list and what the applicant has provided so far.
public struct MaterialChecklist: Sendable, Hashable, Codable {
  public let required: [RequiredMaterial]
  public private(set) var provided: Set<String>

  public init(required: [RequiredMaterial], provided: Set<String>) throws(DomainError) {
    self.required = required
    self.provided = []
    try self.add(provided)
  }

  /// Codes of required materials not yet provided, in the item's order.
  public var missing: [String] { self.required.map(\.code).filter { !self.provided.contains($0) } }

  public var assessment: IntakeAssessment {
    let missing = self.missing
    if missing.isEmpty { return .complete }
    let waivable = Set(self.required.filter(\.mayBeMissingAtAcceptance).map(\.code))
    return missing.allSatisfy(waivable.contains) ? .acceptableWithMissing(missing) : .needsSupplement(missing)
  }

  /// Records more provided materials; unknown codes are refused.
  public mutating func add(_ codes: Set<String>) throws(DomainError) {
    let known = Set(self.required.map(\.code))
    if let unknown = codes.subtracting(known).sorted().first {
      throw .invalidField("materials", "\(unknown) is not a material of this item")
    }
    self.provided.formUnion(codes)
  }
}

extension CatalogItemVersion {
  /// Checks that this version takes applications through `channel` and returns the case's checklist.
  public func intake(channel: IntakeChannel, provided: Set<String>) throws(DomainError) -> MaterialChecklist {
    guard self.status == .published else {
      throw .illegalState(subject: "\(self.ref)", state: self.status.rawValue, action: "intake", allowed: ["published"])
    }
    guard self.definition.channels.contains(channel) else {
      throw .invalidField("channel", "\(channel.rawValue) is not an intake channel of \(self.ref)")
    }
    return try MaterialChecklist(required: self.definition.materials, provided: provided)
  }

  /// The stages and per-task limits an accepted case of this version is processed in.
  ///
  /// Each stage's tasks get a clock of the stage's share in working days, started when the stage
  /// opens; the case clock has the whole promised limit.
  public var plan: CasePlan {
    CasePlan(
      item: self.ref,
      stages: self.definition.stages.map { StagePlan(units: $0.units, limit: .workingDays($0.workingDays)) }
    )
  }
}

/// How an accepted case is processed: stages in order, each a set of units working in parallel.
public struct CasePlan: Sendable, Hashable, Codable {
  public let item: ItemRef
  public let stages: [StagePlan]

  public init(item: ItemRef, stages: [StagePlan]) {
    self.item = item
    self.stages = stages
  }
}

public struct StagePlan: Sendable, Hashable, Codable {
  public let units: [UnitID]
  public let limit: WorkingLimit
  /// One limit per unit, in `units`' order, when the stage's tasks are not all on `limit`
  /// (a dispute's routes each on their own working days); nil when every task has `limit`.
  public let taskLimits: [WorkingLimit]?

  /// `taskLimits`, when given, holds one limit per unit.
  public init(units: [UnitID], limit: WorkingLimit, taskLimits: [WorkingLimit]? = nil) {
    precondition(taskLimits == nil || taskLimits!.count == units.count, "one task limit per unit")
    self.units = units
    self.limit = limit
    self.taskLimits = taskLimits
  }

  /// The clock limit of the stage's task at `position` (its unit's place in `units`): the one
  /// place the engine chooses a task's limit.
  public func limit(ofTaskAt position: Int) -> WorkingLimit {
    guard let taskLimits, taskLimits.indices.contains(position) else { return self.limit }
    return taskLimits[position]
  }
}
