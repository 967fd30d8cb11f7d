/// What ListCases asks for: cases visible in a path range, newest first below a keyset id,
/// narrowed by optional filters.
public struct CaseListFilter: Sendable {
  /// How the applicant filter matches: by name, or (for callers who see ID numbers) by name or ID number.
  public enum Applicant: Sendable {
    case name(String)
    case nameOrIDNumber(String)
  }

  public var range: (lower: String, upper: String)
  /// Only ids below this one (the keyset page token).
  public var before: Int64
  public var limit: Int
  public var state: String?
  public var itemCode: String?
  public var channel: String?
  public var applicant: Applicant?
  /// Seconds since the epoch.
  public var submittedFrom: Int64?
  public var submittedTo: Int64?
  public var overdueOnly = false
  /// Received by this unit or holding a task of it.
  public var unitCode: String?

  /// Whether only the scope and the page select (no filter of the list's own).
  public var isUnfiltered: Bool {
    self.state == nil && self.itemCode == nil && self.channel == nil && self.applicant == nil && self.submittedFrom == nil
      && self.submittedTo == nil && !self.overdueOnly && self.unitCode == nil
  }

  public init(range: (lower: String, upper: String), before: Int64, limit: Int) {
    self.range = range
    self.before = before
    self.limit = limit
  }
}
