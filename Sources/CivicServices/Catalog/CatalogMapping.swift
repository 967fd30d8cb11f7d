import CivicDomain
import CivicProtos
import CivicRepositories
import Foundation
import GRPCCore

/// Catalogue values between protobuf and the domain.
enum CatalogMapping {
  static func channel(_ channel: Civicgrid_V1_IntakeChannel, field: String) throws(DomainError) -> IntakeChannel {
    switch channel {
    case .window: return .window
    case .online: return .online
    case .mobile: return .mobile
    case .hotline: return .hotline
    case .appointment: return .appointment
    case .doorToDoor: return .doorToDoor
    default: throw Validation.invalid(field, "must be a known intake channel")
    }
  }

  static func message(_ channel: IntakeChannel) -> Civicgrid_V1_IntakeChannel {
    switch channel {
    case .window: return .window
    case .online: return .online
    case .mobile: return .mobile
    case .hotline: return .hotline
    case .appointment: return .appointment
    case .doorToDoor: return .doorToDoor
    }
  }

  /// Checks the request's shape (INVALID_ARGUMENT naming the field); the rules of publication
  /// are checked again by `CatalogItemDefinition.validate()` when publishing.
  static func definition(_ m: Civicgrid_V1_ItemDefinition) throws -> CatalogItemDefinition {
    let code = try Validation.code(m.code, field: "definition.code")
    let name = try Validation.text(m.name, field: "definition.name", maxLength: 200)
    let category = try Validation.text(m.category, field: "definition.category", maxLength: 100)
    let kind: ItemKind
    switch m.kind {
    case .immediate: kind = .immediate
    case .promised: kind = .promised
    default: throw Validation.invalid("definition.kind", "must be IMMEDIATE or PROMISED")
    }
    let lead = try Validation.code(m.leadUnitCode, field: "definition.lead_unit_code")
    var stages: [ItemStage] = []
    for (index, stage) in m.stages.enumerated() {
      for (u, unit) in stage.unitCodes.enumerated() { _ = try Validation.code(unit, field: "definition.stages[\(index)].unit_codes[\(u)]") }
      stages.append(ItemStage(units: stage.unitCodes.map { UnitID($0) }, workingDays: Int(stage.workingDays)))
    }
    var materials: [RequiredMaterial] = []
    for (index, material) in m.materials.enumerated() {
      materials.append(
        RequiredMaterial(
          code: try Validation.code(material.code, field: "definition.materials[\(index)].code"),
          name: try Validation.text(material.name, field: "definition.materials[\(index)].name", maxLength: 200),
          mayBeMissingAtAcceptance: material.mayBeMissingAtAcceptance
        )
      )
    }
    var channels: Set<IntakeChannel> = []
    for (index, channel) in m.channels.enumerated() { channels.insert(try self.channel(channel, field: "definition.channels[\(index)]")) }
    let policy = try WarningPolicy(
      remainingWorkingDays: m.warningRemainingWorkingDays == 0 ? 1 : Int(m.warningRemainingWorkingDays),
      remainingPercent: m.warningRemainingPercent == 0 ? 20 : Int(m.warningRemainingPercent)
    )
    let access = m.accessItemCode.isEmpty ? nil : try Validation.code(m.accessItemCode, field: "definition.access_item_code")
    let definition = CatalogItemDefinition(
      code: code, name: name, category: category, kind: kind, leadUnit: UnitID(lead), stages: stages,
      promisedWorkingDays: Int(m.promisedWorkingDays), materials: materials, channels: channels, warningPolicy: policy,
      accessItemCode: access == code ? nil : access
    )
    do {
      try definition.validate()
    } catch let error {
      // Shape errors of a draft name the request's field.
      if case .invalidField(let field, let problem) = error { throw Validation.invalid("definition.\(field)", problem) }
      throw error
    }
    return definition
  }

  static func message(_ definition: CatalogItemDefinition) -> Civicgrid_V1_ItemDefinition {
    var m = Civicgrid_V1_ItemDefinition()
    m.code = definition.code
    m.name = definition.name
    m.category = definition.category
    m.kind = definition.kind == .immediate ? .immediate : .promised
    m.leadUnitCode = definition.leadUnit.rawValue
    m.stages = definition.stages.map { stage in
      var s = Civicgrid_V1_ItemStage()
      s.unitCodes = stage.units.map(\.rawValue)
      s.workingDays = Int32(stage.workingDays)
      return s
    }
    m.promisedWorkingDays = Int32(definition.promisedWorkingDays)
    m.materials = definition.materials.map { material in
      var r = Civicgrid_V1_RequiredMaterial()
      r.code = material.code
      r.name = material.name
      r.mayBeMissingAtAcceptance = material.mayBeMissingAtAcceptance
      return r
    }
    m.channels = IntakeChannel.allCases.filter(definition.channels.contains).map(self.message)
    m.warningRemainingWorkingDays = Int32(definition.warningPolicy.remainingWorkingDays)
    m.warningRemainingPercent = Int32(definition.warningPolicy.remainingPercent)
    m.accessItemCode = definition.accessItemCode ?? ""
    return m
  }

  static func message(_ version: CatalogItemVersion, updatedAt: Date?) -> Civicgrid_V1_ItemVersion {
    var m = Civicgrid_V1_ItemVersion()
    m.code = version.definition.code
    m.version = Int32(version.version)
    m.status = switch version.status {
    case .draft: .draft
    case .published: .published
    case .suspended: .suspended
    case .retired: .retired
    }
    m.definition = self.message(version.definition)
    if let updatedAt { m.updatedAt = updatedAt.timestamp }
    return m
  }

  static func message(_ suspension: ContractSuspension) -> Civicgrid_V1_ContractSuspension {
    var m = Civicgrid_V1_ContractSuspension()
    m.organisationUnitCode = suspension.organisationCode
    m.contractNumber = suspension.contractID.map(ServiceContract.number) ?? ""
    m.endedOn = suspension.endedOn?.description ?? ""
    m.reason = suspension.description
    return m
  }

  static func message(_ stored: StoredCatalogItem) -> Civicgrid_V1_Item {
    var m = Civicgrid_V1_Item()
    m.code = stored.item.code
    m.version = stored.version
    m.versions = stored.item.versions.map { self.message($0, updatedAt: stored.updatedAt[$0.version]) }
    return m
  }
}
