// TEMPORARY: the lead's auth/audit framework contract (issue 3), so this branch builds before
// it lands on main. Deleted when main is merged.
public import CivicStore
public import GRPCCore

public enum Role: String, CaseIterable, Sendable { case admin, clerk, handler, supervisor, gridWorker = "grid_worker", mediator, partner, auditor }

public enum UnitScope: Sendable, Hashable {
  case everything
  case subtree(String)
  public func contains(path: String) -> Bool {
    switch self {
    case .everything: return true
    case .subtree(let root): return path.hasPrefix(root)
    }
  }
  public var sqlRange: (lower: String, upper: String) {
    switch self {
    case .everything: return ("", "\u{10FFFF}")
    case .subtree(let root): return (root, String(root.dropLast()) + "0")
    }
  }
}

public struct Principal: Sendable {
  public var accountID: Int64
  public var login: String
  public var unitID: Int64
  public var unitCode: String
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
  public var scope: UnitScope { self.has(.auditor) ? .everything : .subtree(self.unitPath) }
}

public struct RequestContext: Sendable {
  public var method: String
  public var requestID: String
  public var principal: Principal?
  public init(method: String, requestID: String, principal: Principal?) {
    self.method = method
    self.requestID = requestID
    self.principal = principal
  }
  @TaskLocal public static var current: RequestContext?
  public static func principal() throws(RPCError) -> Principal {
    guard let principal = Self.current?.principal else { throw RPCError(code: .unauthenticated, message: "no principal") }
    return principal
  }
}

public enum MethodPolicy: Sendable {
  case `public`
  case authenticated
  case roles(Set<Role>)
}

public enum AuditLog {
  public static func append(on connection: StoreConnection, object: String, summary: String) async throws {
    try await connection.execute(
      "INSERT INTO audit_log (method, object, summary, prev_hash, hash) VALUES ($1, $2, $3, '\\x00', '\\x00')",
      [RequestContext.current?.method ?? "", object, summary]
    )
  }
}
