import CivicProtos
import CivicRepositories
public import CivicStore

/// Start-up commands that write the directory outside any RPC (`civicgridd bootstrap-admin`,
/// `seed-demo`); their audit entries name the command as the method.
public enum DirectoryBootstrap {
  public struct AlreadyBootstrapped: Error, CustomStringConvertible {
    public var description: String {
      "the directory already has accounts; issue further tokens with `civicctl account token issue LOGIN`"
    }
  }

  /// On a database without accounts: creates the root district unit (unless one exists)
  /// and an admin account bound to it holding every writing role (an account grants only roles
  /// it holds, so every duty is handed on from this one), and returns a fresh 30-day token's secret.
  public static func bootstrapAdmin(
    _ store: StorePool,
    districtCode: String,
    districtName: String,
    login: String
  ) async throws -> String {
    let method = "civicgridd bootstrap-admin"
    return try await store.transaction(isolation: .serializable) { connection in
      let accounts = AccountRepository(connection)
      guard try await !accounts.any() else { throw AlreadyBootstrapped() }
      let rootID = try await Self.ensureRoot(on: connection, code: districtCode, name: districtName, method: method)
      let accountID = try await accounts.insert(
        login: login,
        displayName: "Administrator",
        unitID: rootID,
        roles: Role.writing.map(\.rawValue)
      )
      let issued = try await DirectoryService.issueToken(
        on: connection,
        accountID: accountID,
        login: login,
        label: "bootstrap",
        ttlSeconds: DirectoryService.defaultTokenLifetime
      )
      try await AuditLog.append(
        on: connection,
        command: method,
        object: "account:\(login)",
        summary: "bootstrapped admin account (every writing role) and issued token \(issued.token.id)"
      )
      return issued.secret
    }
  }

  /// The root unit's id, creating it when the directory is empty.
  static func ensureRoot(on connection: StoreConnection, code: String, name: String, method: String) async throws -> Int64 {
    let units = UnitRepository(connection)
    if let id = try await units.rootID() { return id }
    let id = try await units.insertRoot(code: code, name: name)
    try await AuditLog.append(
      on: connection,
      command: method,
      object: "unit:\(code)",
      summary: "created district '\(name)' as the root"
    )
    return id
  }
}
