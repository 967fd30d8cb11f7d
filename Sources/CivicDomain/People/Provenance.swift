/// Where a value came from.
///
/// Each source has a trust level: a department's register (4) outranks what a clerk checked
/// against documents at the window (3), which outranks what a grid worker saw on a visit (2),
/// which outranks what a resident declared (1). A less trusted value never overwrites a more
/// trusted one (`FieldMerge`).
public enum ProvenanceSource: String, Sendable, CaseIterable {
  case gridVisit
  case window
  case departmentImport
  case selfDeclared

  public var trust: Int {
    switch self {
    case .departmentImport: 4
    case .window: 3
    case .gridVisit: 2
    case .selfDeclared: 1
    }
  }
}

/// Who collected a value, when, from which source, and how far it is trusted.
public struct Provenance: Sendable, Hashable {
  public var source: ProvenanceSource
  public var trust: Int
  /// The login of the account that collected or imported it.
  public var collectedBy: String
  public var collectedAt: Instant

  public init(source: ProvenanceSource, trust: Int? = nil, collectedBy: String, collectedAt: Instant) {
    self.source = source
    self.trust = trust ?? source.trust
    self.collectedBy = collectedBy
    self.collectedAt = collectedAt
  }
}

/// A value with its provenance.
public struct SourcedValue: Sendable, Hashable {
  public var value: String
  public var provenance: Provenance

  public init(_ value: String, _ provenance: Provenance) {
    self.value = value
    self.provenance = provenance
  }
}
