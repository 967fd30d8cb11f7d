import CivicProtos
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
      guard try await connection.query("SELECT 1 FROM accounts LIMIT 1").rows.isEmpty else { throw AlreadyBootstrapped() }
      let rootID = try await Self.ensureRoot(on: connection, code: districtCode, name: districtName, method: method)
      let accountID =
        try await connection.query(
          """
          INSERT INTO accounts (login, display_name, unit_id, roles) VALUES ($1, 'Administrator', $2, string_to_array($3, ','))
          RETURNING id
          """,
          [login, rootID, Role.writing.map(\.rawValue).joined(separator: ",")]
        ).scalar(Int64.self) ?? 0
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
    if let id = try await connection.query("SELECT id FROM units WHERE parent_id IS NULL").scalar(Int64.self) {
      return id
    }
    let id =
      try await connection.query(
        "INSERT INTO units (code, name, kind, path) VALUES ($1, $2, 'district', $3) RETURNING id",
        [code, name, "/\(code)/"]
      ).scalar(Int64.self) ?? 0
    try await AuditLog.append(
      on: connection,
      command: method,
      object: "unit:\(code)",
      summary: "created district '\(name)' as the root"
    )
    return id
  }
}
