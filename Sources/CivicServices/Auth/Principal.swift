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

  /// The scope rule: an account acts within its unit's subtree, except an auditor, who
  /// reads the whole directory (its methods are read-only by policy).
  public var scope: UnitScope {
    self.has(.auditor) ? .everything : .subtree(self.unitPath)
  }
}
