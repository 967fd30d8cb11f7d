public import CivicDomain

/// What a new case row holds beyond its domain value: where it was taken in and, for an
/// application, the applicant's personal data (internal cases have none).
public struct NewCase: Sendable {
  public var id: Int64
  public var change: CaseChange
  public var unitID: Int64
  public var unitPath: String
  public var jurisdiction: String
  public var at: Instant
  public var idNumber: String
  public var phone: String
  /// The community access-list item its routing rule declared (docs/ACCESS.md); nil: the item's.
  public var accessItem: String?

  public init(
    id: Int64,
    change: CaseChange,
    unitID: Int64,
    unitPath: String,
    jurisdiction: String,
    at: Instant,
    idNumber: String = "",
    phone: String = "",
    accessItem: String? = nil
  ) {
    self.id = id
    self.change = change
    self.unitID = unitID
    self.unitPath = unitPath
    self.jurisdiction = jurisdiction
    self.at = at
    self.idNumber = idNumber
    self.phone = phone
    self.accessItem = accessItem
  }
}
