public import CivicDomain

/// A person as stored: what is known of them, and the path of their grid (for scoping).
public struct StoredPerson: Sendable, Hashable {
  public var state: PersonState
  public var gridPath: String
  public var personID: Int64 { self.state.personID! }
}

/// One entry of a person's field history, newest last.
public struct FieldHistoryRecord: Sendable, Hashable {
  public var field: PersonField
  public var old: String?
  public var new: String
  public var provenance: Provenance
}

/// A correction: a lower-trust conflicting value waiting for a clerk, or decided.
public struct CorrectionRecord: Sendable, Hashable {
  public var id: Int64
  public var personID: Int64
  public var field: PersonField
  public var current: String
  public var proposed: String
  public var provenance: Provenance
  public var status: String
  public var gridPath: String
}

/// One row of an import batch's report.
public struct ImportRowRecord: Sendable, Hashable {
  public var row: Int
  /// `created`, `merged`, `pendingCorrection` or `rejected`.
  public var outcome: String
  public var personID: Int64?
  public var field: String
  public var reason: String

  public init(row: Int, outcome: String, personID: Int64?, field: String, reason: String) {
    self.row = row
    self.outcome = outcome
    self.personID = personID
    self.field = field
    self.reason = reason
  }
}
