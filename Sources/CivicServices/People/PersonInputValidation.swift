import CivicDomain
import CivicProtos

/// A `PersonInput` checked field by field into a submission; every refusal names the field
/// (with `prefix`, e.g. "person."), which a registration answers INVALID_ARGUMENT and an
/// import reports on the row.
enum PersonInputValidation {
  static func submission(_ input: Civicgrid_V1_PersonInput, provenance: Provenance, prefix: String) throws(DomainError) -> PersonSubmission {
    guard !input.idNumber.isEmpty else { throw Require.invalid(prefix + "id_number", "is required") }
    guard let idNumber = IDNumber(input.idNumber) else {
      throw Require.invalid(prefix + "id_number", "must be 18 characters: 17 digits and a digit or X")
    }
    var values: [PersonField: String] = [:]
    let name = try Validation.text(input.name, field: prefix + "name", maxLength: 100, required: false)
    if !name.isEmpty { values[.name] = name }
    if input.gender != .unspecified {
      guard let gender = PeopleMapping.gender(input.gender) else { throw Require.invalid(prefix + "gender", "is not a known gender") }
      guard gender == idNumber.gender else { throw Require.invalid(prefix + "gender", "does not match the ID number") }
    }
    values[.gender] = idNumber.gender.rawValue
    if !input.birthDate.isEmpty {
      let date = try Validation.date(input.birthDate, field: prefix + "birth_date")
      if let carried = idNumber.birthDate, carried != date { throw Require.invalid(prefix + "birth_date", "does not match the ID number") }
      values[.birthDate] = date.description
    } else if let carried = idNumber.birthDate {
      values[.birthDate] = carried.description
    }
    if !input.phone.isEmpty {
      let digits = input.phone.hasPrefix("+") ? input.phone.dropFirst() : Substring(input.phone)
      guard (5...20).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
        throw Require.invalid(prefix + "phone", "must be 5–20 digits with an optional leading +")
      }
      values[.phone] = input.phone
    }
    if !input.householdCode.isEmpty { values[.household] = try Validation.code(input.householdCode, field: prefix + "household_code") }
    if !input.gridUnitCode.isEmpty { values[.grid] = try Validation.code(input.gridUnitCode, field: prefix + "grid_unit_code") }
    let address = try Validation.text(input.address, field: prefix + "address", maxLength: 200, required: false)
    if !address.isEmpty { values[.address] = address }
    if input.residence != .unspecified {
      guard let residence = PeopleMapping.residence(input.residence) else { throw Require.invalid(prefix + "residence", "is not a known status") }
      values[.residence] = residence.rawValue
    }
    let employment = try Validation.text(input.employment, field: prefix + "employment", maxLength: 100, required: false)
    if !employment.isEmpty { values[.employment] = employment }
    guard input.tags.count <= 20 else { throw Require.invalid(prefix + "tags", "must list at most 20 tags") }
    let tags = try input.tags.enumerated().map { index, tag throws(DomainError) in
      try Self.tag(tag, provenance: provenance, field: "\(prefix)tags[\(index)]")
    }
    return PersonSubmission(idNumber: idNumber, values: values, tags: tags, provenance: provenance)
  }

  /// A tag: a known kind, the sub-type its kind needs, a first day and an optional last day.
  static func tag(_ tag: Civicgrid_V1_PersonTag, provenance: Provenance, field: String) throws(DomainError) -> PersonTag {
    guard let kind = PeopleMapping.tagKind(tag.kind) else { throw Require.invalid("\(field).kind", "is required") }
    if kind.subtypes.isEmpty {
      guard tag.subtype.isEmpty else { throw Require.invalid("\(field).subtype", "\(kind.rawValue) takes no sub-type") }
    } else {
      guard kind.subtypes.contains(tag.subtype) else {
        throw Require.invalid("\(field).subtype", "must be one of \(kind.subtypes.joined(separator: ", ")) for \(kind.rawValue)")
      }
    }
    let from = try Validation.date(tag.validFrom, field: "\(field).valid_from")
    var until: CivilDate?
    if !tag.validUntil.isEmpty {
      let last = try Validation.date(tag.validUntil, field: "\(field).valid_until")
      guard last >= from else { throw Require.invalid("\(field).valid_until", "must not be before valid_from") }
      until = last
    }
    return PersonTag(kind: kind, subtype: tag.subtype, validFrom: from, validUntil: until, provenance: provenance)
  }

  /// One value for `field` as a correction states it, checked like the same field of an input.
  static func value(_ value: String, of field: PersonField, idNumber: IDNumber) throws(DomainError) -> String {
    var input = Civicgrid_V1_PersonInput()
    input.idNumber = idNumber.text
    switch field {
    case .name: input.name = value
    case .gender:
      input.gender = value == "male" ? .male : value == "female" ? .female : .UNRECOGNIZED(-1)
    case .birthDate: input.birthDate = value
    case .phone: input.phone = value
    case .household: input.householdCode = value
    case .grid: input.gridUnitCode = value
    case .address: input.address = value
    case .residence:
      input.residence = value == "registered" ? .registered : value == "floating" ? .floating : .UNRECOGNIZED(-1)
    case .employment: input.employment = value
    }
    let provenance = Provenance(source: .window, collectedBy: "", collectedAt: Instant(secondsSinceEpoch: 0))
    do throws(DomainError) {
      let checked = try Self.submission(input, provenance: provenance, prefix: "")
      guard let result = checked.values[field] else { throw Require.invalid("value", "is required") }
      return result
    } catch {
      if case .invalidField(_, let problem) = error { throw Require.invalid("value", problem) }
      throw error
    }
  }
}
