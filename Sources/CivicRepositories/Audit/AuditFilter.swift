/// Which audit entries a listing returns; empty texts and nil bounds do not filter.
public struct AuditFilter: Sendable {
  public var afterSeq: Int64
  public var object: String
  public var account: String
  public var sinceMicros: Int64?
  public var untilMicros: Int64?
  /// Entries by accounts whose unit lies in this range; nil for every entry (a district-wide scope).
  public var accountsWithin: UnitPathRange?

  public init(
    afterSeq: Int64,
    object: String = "",
    account: String = "",
    sinceMicros: Int64? = nil,
    untilMicros: Int64? = nil,
    accountsWithin: UnitPathRange? = nil
  ) {
    self.afterSeq = afterSeq
    self.object = object
    self.account = account
    self.sinceMicros = sinceMicros
    self.untilMicros = untilMicros
    self.accountsWithin = accountsWithin
  }
}
