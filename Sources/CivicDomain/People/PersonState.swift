/// What is known of one resident: the ID number that identifies them, their fields with
/// provenance, and their tags.
public struct PersonState: Sendable, Hashable {
  /// The stored person's id, or nil for one not stored yet.
  public var personID: Int64?
  public var idNumber: IDNumber
  public var fields: [PersonField: SourcedValue]
  public var tags: [PersonTag]

  public init(personID: Int64?, idNumber: IDNumber, fields: [PersonField: SourcedValue] = [:], tags: [PersonTag] = []) {
    self.personID = personID
    self.idNumber = idNumber
    self.fields = fields
    self.tags = tags
  }
}

/// One registration or import row, validated: the values it brings and where they come from.
public struct PersonSubmission: Sendable, Hashable {
  public var idNumber: IDNumber
  public var values: [PersonField: String]
  public var tags: [PersonTag]
  public var provenance: Provenance

  public init(idNumber: IDNumber, values: [PersonField: String], tags: [PersonTag], provenance: Provenance) {
    self.idNumber = idNumber
    self.values = values
    self.tags = tags
    self.provenance = provenance
  }
}

/// A field's value changed: old (nil when it had none) → new, by whom and from where.
public struct FieldChange: Sendable, Hashable {
  public var field: PersonField
  public var old: String?
  public var new: String
  public var provenance: Provenance

  public init(field: PersonField, old: String?, new: String, provenance: Provenance) {
    self.field = field
    self.old = old
    self.new = new
    self.provenance = provenance
  }
}

/// A less trusted value that differs from the current one, kept for a clerk to decide.
public struct FieldProposal: Sendable, Hashable {
  public var field: PersonField
  public var current: String
  public var proposed: String
  public var provenance: Provenance

  public init(field: PersonField, current: String, proposed: String, provenance: Provenance) {
    self.field = field
    self.current = current
    self.proposed = proposed
    self.provenance = provenance
  }
}

/// What a registration or import row did to the person it names.
public enum MergeOutcome: String, Sendable, CaseIterable {
  /// No person had the ID number: one was created.
  case created
  /// Merged onto the existing person (values set, confirmed or replaced).
  case merged
  /// Merged, and at least one value was kept as a pending correction.
  case pendingCorrection
}
