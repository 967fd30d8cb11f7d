/// Whether an item is done at the window or promised within a limit.
public enum ItemKind: String, Sendable, Hashable, Codable {
  /// 即办件: completed at the window when accepted; no clock.
  case immediate
  /// 承诺件: processed by departments within a promised limit in working days.
  case promised
}

/// How an application reaches the centre.
public enum IntakeChannel: String, Sendable, Hashable, Codable, CaseIterable {
  case window, online, mobile, hotline, appointment, doorToDoor
}

/// A document an applicant must provide.
public struct RequiredMaterial: Sendable, Hashable, Codable {
  public let code: String
  public let name: String
  /// 容缺: the case may be accepted without it, to be supplied before the result is delivered.
  public let mayBeMissingAtAcceptance: Bool

  public init(code: String, name: String, mayBeMissingAtAcceptance: Bool = false) {
    self.code = code
    self.name = name
    self.mayBeMissingAtAcceptance = mayBeMissingAtAcceptance
  }
}

/// One stage of joint processing: the units that work in parallel and their share of the limit.
public struct ItemStage: Sendable, Hashable, Codable {
  public let units: [UnitID]
  /// This stage's share of the promised limit, in working days.
  public let workingDays: Int

  public init(units: [UnitID], workingDays: Int) {
    self.units = units
    self.workingDays = workingDays
  }
}

/// What a catalogue item version says: the content that is drafted, validated and published.
public struct CatalogItemDefinition: Sendable, Hashable, Codable {
  public var code: String
  public var name: String
  public var category: String
  public var kind: ItemKind
  public var leadUnit: UnitID
  /// In order; the lead unit works in the first stage. Empty for immediate items.
  public var stages: [ItemStage]
  /// The promised limit in working days (承诺时限); 0 for immediate items.
  public var promisedWorkingDays: Int
  public var materials: [RequiredMaterial]
  public var channels: Set<IntakeChannel>
  public var warningPolicy: WarningPolicy
  /// The community access-list item its work counts as (docs/ACCESS.md); nil: its own code.
  public var accessItemCode: String?

  /// The code community access lists are checked against.
  public var accessCode: String { self.accessItemCode ?? self.code }

  public init(
    code: String,
    name: String,
    category: String,
    kind: ItemKind,
    leadUnit: UnitID,
    stages: [ItemStage] = [],
    promisedWorkingDays: Int = 0,
    materials: [RequiredMaterial] = [],
    channels: Set<IntakeChannel> = [.window],
    warningPolicy: WarningPolicy = .defaults,
    accessItemCode: String? = nil
  ) {
    self.code = code
    self.name = name
    self.category = category
    self.kind = kind
    self.leadUnit = leadUnit
    self.stages = stages
    self.promisedWorkingDays = promisedWorkingDays
    self.materials = materials
    self.channels = channels
    self.warningPolicy = warningPolicy
    self.accessItemCode = accessItemCode
  }

  /// Checks everything publication needs; the error names the first field at fault.
  ///
  /// Stage shares are working days and must add up to exactly the promised limit.
  public func validate() throws(DomainError) {
    for (field, value) in [("code", self.code), ("name", self.name), ("category", self.category), ("leadUnit", self.leadUnit.rawValue)]
    where value.isEmpty {
      throw .invalidField(field, "must not be empty")
    }
    guard !self.channels.isEmpty else { throw .invalidField("channels", "needs at least one intake channel") }
    var codes: Set<String> = []
    for (index, material) in self.materials.enumerated() {
      guard !material.code.isEmpty, !material.name.isEmpty else { throw .invalidField("materials[\(index)]", "needs a code and a name") }
      guard codes.insert(material.code).inserted else {
        throw .invalidField("materials[\(index)].code", "\(material.code) is listed twice")
      }
    }
    switch self.kind {
    case .immediate:
      guard self.promisedWorkingDays == 0 else { throw .invalidField("promisedWorkingDays", "must be 0 for an immediate item") }
      guard self.stages.isEmpty else { throw .invalidField("stages", "must be empty for an immediate item") }
    case .promised:
      try self.validateStages()
    }
  }

  private func validateStages() throws(DomainError) {
    guard self.promisedWorkingDays >= 1 else { throw .invalidField("promisedWorkingDays", "must be at least 1 for a promised item") }
    guard !self.stages.isEmpty else { throw .invalidField("stages", "a promised item needs at least one stage") }
    for (index, stage) in self.stages.enumerated() {
      guard !stage.units.isEmpty else { throw .invalidField("stages[\(index)].units", "needs at least one unit") }
      guard Set(stage.units).count == stage.units.count else { throw .invalidField("stages[\(index)].units", "lists a unit twice") }
      guard stage.workingDays >= 1 else { throw .invalidField("stages[\(index)].workingDays", "must be at least 1") }
    }
    guard self.stages[0].units.contains(self.leadUnit) else {
      throw .invalidField("stages[0].units", "must include the lead unit \(self.leadUnit)")
    }
    let shares = self.stages.reduce(0) { $0 + $1.workingDays }
    guard shares == self.promisedWorkingDays else {
      throw .invalidField("stages", "shares add up to \(shares) working days; the promised limit is \(self.promisedWorkingDays)")
    }
  }
}
