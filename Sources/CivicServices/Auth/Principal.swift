/// The authenticated caller of an RPC: an account, its unit and its roles.
public struct Principal: Sendable, Hashable {
  public var accountID: Int64
  public var login: String
  public var unitID: Int64
  public var unitCode: String
  /// The unit's path of codes from the root, e.g. `/D01/S01/`.
  public var unitPath: String
  public var roles: Set<Role>

  public init(accountID: Int64, login: String, unitID: Int64, unitCode: String, unitPath: String, roles: Set<Role>) {
    self.accountID = accountID
    self.login = login
    self.unitID = unitID
    self.unitCode = unitCode
    self.unitPath = unitPath
    self.roles = roles
  }

  public func has(_ role: Role) -> Bool { self.roles.contains(role) }

  /// The scope rule: an account acts within its unit's subtree. The one exception is the
  /// auditor grant (`Grants.isAuditorGrant`: `auditor` and nothing else), which reads the
  /// whole district; the methods it admits are read-only (`Grants.auditorMethods`). An account
  /// that holds `auditor` beside another role gets no district-wide reading at all.
  public var scope: UnitScope {
    Grants.isAuditorGrant(self.roles) ? .everything : .subtree(self.unitPath)
  }

  /// Whether this caller's own scope covers the whole district (its unit is the root, or it
  /// holds the auditor grant): what writes to district-wide objects (calendars, the
  /// catalogue, the audit chain as a whole) require.
  public var coversDistrict: Bool { self.scope.coversDistrict }
}
