import CivicDomain
import CivicProtos
import CivicRepositories

/// People between the domain and protobuf. Unlike other services' mappings it masks: a
/// person's sensitive parts are shown in full only where `PersonDataAccess` unmasked them for
/// this request (a permitted role with a purpose); `PersonalDataInterceptor` still masks
/// marked fields for roles outside clerk and handler on top.
enum PeopleMapping {
  /// The request field name of each person field ("birth_date", "grid_unit_code", …).
  static let requestNames: [PersonField: String] = [
    .name: "name", .gender: "gender", .birthDate: "birth_date", .phone: "phone", .household: "household_code",
    .grid: "grid_unit_code", .address: "address", .residence: "residence", .employment: "employment",
  ]

  static func field(named name: String, field: String) throws(DomainError) -> PersonField {
    guard let found = Self.requestNames.first(where: { $0.value == name })?.key else {
      throw Require.invalid(field, "must be one of \(Self.requestNames.values.sorted().joined(separator: ", ")), got \"\(name.prefix(40))\"")
    }
    return found
  }

  /// The sensitive part a field is, if any.
  static func sensitivity(_ field: PersonField) -> SensitivePersonData? {
    switch field {
    case .phone: .phone
    case .address: .address
    // Part of the ID number: shown with it.
    case .birthDate: .idNumber
    case .name, .gender, .household, .grid, .residence, .employment: nil
    }
  }

  /// `value` of `field` as the caller may see it.
  static func shown(_ value: String, _ field: PersonField, _ unmasked: Set<SensitivePersonData>) -> String {
    switch Self.sensitivity(field) {
    case .phone where !unmasked.contains(.phone): PersonalDataMask.mask(value, as: .phone)
    case .address where !unmasked.contains(.address): PersonalDataMask.mask(value, as: .address)
    case .idNumber where !unmasked.contains(.idNumber): PersonalDataMask.mask(value, as: .birthDate)
    default: value
    }
  }

  static func message(
    _ person: StoredPerson, unmasked: Set<SensitivePersonData>, today: CivilDate,
    history: [FieldHistoryRecord] = [], pending: Int = 0
  ) -> Civicgrid_V1_Person {
    let fields = person.state.fields
    func value(_ field: PersonField) -> String { fields[field].map { Self.shown($0.value, field, unmasked) } ?? "" }
    var m = Civicgrid_V1_Person()
    m.personID = person.personID
    m.idNumber = unmasked.contains(.idNumber) ? person.state.idNumber.text : PersonalDataMask.mask(person.state.idNumber.text, as: .idNumber)
    m.name = value(.name)
    m.gender = fields[.gender].flatMap { Gender(rawValue: $0.value) }.map(Self.message) ?? .unspecified
    m.birthDate = value(.birthDate)
    m.phone = value(.phone)
    m.householdCode = value(.household)
    m.gridUnitCode = value(.grid)
    m.address = value(.address)
    m.residence = fields[.residence].flatMap { Residence(rawValue: $0.value) }.map(Self.message) ?? .unspecified
    m.employment = value(.employment)
    m.provenance = fields.keys.sorted().map { field in
      var entry = Civicgrid_V1_FieldProvenance()
      entry.field = Self.requestNames[field]!
      entry.provenance = Self.message(fields[field]!.provenance)
      return entry
    }
    let visible = person.state.tags.filter { !$0.kind.isSensitive || unmasked.contains(.keyGroupTags) }
    m.tags = visible.map { Self.message($0, today: today) }
    m.withheldTags = Int32(person.state.tags.count - visible.count)
    m.history = history.map { entry in
      var h = Civicgrid_V1_FieldHistoryEntry()
      h.field = Self.requestNames[entry.field]!
      h.oldValue = entry.old.map { Self.shown($0, entry.field, unmasked) } ?? ""
      h.newValue = Self.shown(entry.new, entry.field, unmasked)
      h.provenance = Self.message(entry.provenance)
      return h
    }
    m.pendingCorrections = Int32(pending)
    m.unmasked = unmasked.sorted().map(\.rawValue)
    return m
  }

  static func message(_ tag: PersonTag, today: CivilDate) -> Civicgrid_V1_PersonTag {
    var m = Civicgrid_V1_PersonTag()
    m.kind = Self.message(tag.kind)
    m.subtype = tag.subtype
    m.validFrom = tag.validFrom.description
    m.validUntil = tag.validUntil?.description ?? ""
    m.active = tag.isActive(on: today)
    m.provenance = Self.message(tag.provenance)
    return m
  }

  static func message(_ correction: CorrectionRecord, unmasked: Set<SensitivePersonData>) -> Civicgrid_V1_Correction {
    var m = Civicgrid_V1_Correction()
    m.correctionID = correction.id
    m.personID = correction.personID
    m.field = Self.requestNames[correction.field]!
    m.currentValue = Self.shown(correction.current, correction.field, unmasked)
    m.proposedValue = Self.shown(correction.proposed, correction.field, unmasked)
    m.provenance = Self.message(correction.provenance)
    return m
  }

  static func message(_ provenance: Provenance) -> Civicgrid_V1_Provenance {
    var m = Civicgrid_V1_Provenance()
    m.source = Self.message(provenance.source)
    m.trust = Int32(provenance.trust)
    m.collectedBy = provenance.collectedBy
    m.collectedAt = provenance.collectedAt.timestamp
    return m
  }

  static func message(_ outcome: MergeOutcome) -> Civicgrid_V1_PersonRowOutcome {
    switch outcome {
    case .created: .created
    case .merged: .merged
    case .pendingCorrection: .pendingCorrection
    }
  }

  static func message(_ source: ProvenanceSource) -> Civicgrid_V1_InformationSource {
    switch source {
    case .gridVisit: .gridVisit
    case .window: .window
    case .departmentImport: .departmentImport
    case .selfDeclared: .selfDeclared
    }
  }

  static func source(_ value: Civicgrid_V1_InformationSource) -> ProvenanceSource? {
    switch value {
    case .gridVisit: .gridVisit
    case .window: .window
    case .departmentImport: .departmentImport
    case .selfDeclared: .selfDeclared
    case .unspecified, .UNRECOGNIZED: nil
    }
  }

  static func message(_ gender: Gender) -> Civicgrid_V1_Gender {
    switch gender {
    case .male: .male
    case .female: .female
    }
  }

  static func gender(_ value: Civicgrid_V1_Gender) -> Gender? {
    switch value {
    case .male: .male
    case .female: .female
    case .unspecified, .UNRECOGNIZED: nil
    }
  }

  static func message(_ residence: Residence) -> Civicgrid_V1_ResidenceStatus {
    switch residence {
    case .registered: .registered
    case .floating: .floating
    }
  }

  static func residence(_ value: Civicgrid_V1_ResidenceStatus) -> Residence? {
    switch value {
    case .registered: .registered
    case .floating: .floating
    case .unspecified, .UNRECOGNIZED: nil
    }
  }

  static let tagKinds: [(TagKind, Civicgrid_V1_PersonTagKind)] = [
    (.difficulty, .difficulty), (.special, .special), (.keyGroup, .keyGroup), (.floating, .floating),
    (.elderlyAlone, .elderlyAlone), (.disabled, .disabled), (.veteran, .veteran), (.leftBehindMinor, .leftBehindMinor),
  ]

  static func message(_ kind: TagKind) -> Civicgrid_V1_PersonTagKind { Self.tagKinds.first { $0.0 == kind }!.1 }

  static func tagKind(_ value: Civicgrid_V1_PersonTagKind) -> TagKind? { Self.tagKinds.first { $0.1 == value }?.0 }
}
