public import CivicProtos
public import CivicStore
public import GRPCCore
import SwiftProtobuf

extension DirectoryService {
  /// Tokens live 30 days unless asked otherwise, and never more than 366 days.
  static let defaultTokenLifetime: Int64 = 30 * 86_400
  static let maxTokenLifetime: Int64 = 366 * 86_400

  public func issueToken(
    request: Civicgrid_V1_IssueTokenRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_IssueTokenResponse {
    let caller = try RequestContext.principal()
    let login = try Validation.code(request.login, field: "login", extra: ["-", "_", ".", "@"])
    let label = try Validation.text(request.label, field: "label", maxLength: 100, required: false)
    guard (0...Self.maxTokenLifetime).contains(request.ttlSeconds) else {
      throw Validation.invalid("ttl_seconds", "must be between 1 and \(Self.maxTokenLifetime) (0 for 30 days)")
    }
    let ttl = request.ttlSeconds == 0 ? Self.defaultTokenLifetime : request.ttlSeconds
    return try await self.store.transaction { connection in
      let account = try await Self.manageableAccount(login, caller: caller, on: connection)
      let issued = try await Self.issueToken(on: connection, accountID: account.id, login: login, label: label, ttlSeconds: ttl)
      try await AuditLog.append(
        on: connection,
        object: "account:\(login)",
        summary: "issued token \(issued.token.id) '\(label)' for \(ttl) s"
      )
      return issued
    }
  }

  public func revokeToken(request: Civicgrid_V1_RevokeTokenRequest, context: ServerContext) async throws -> Civicgrid_V1_Token {
    let caller = try RequestContext.principal()
    guard request.id > 0 else { throw Validation.invalid("id", "is required") }
    return try await self.store.transaction { connection in
      let owner = try await connection.query(
        "SELECT a.login FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.id = $1",
        [request.id]
      )
      guard let login = try owner.scalar(String.self) else { throw Self.notFound("id", "token", String(request.id)) }
      do {
        _ = try await Self.manageableAccount(login, caller: caller, on: connection)
      } catch let error as RPCError where error.code == .notFound || error.code == .permissionDenied {
        // Whether a token outside the caller's reach exists is not the caller's business.
        throw Self.notFound("id", "token", String(request.id))
      }
      try await connection.query("UPDATE tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [request.id])
      try await AuditLog.append(on: connection, object: "account:\(login)", summary: "revoked token \(request.id)")
      return try await Self.tokens(where: "t.id = $1", [request.id], on: connection)[0]
    }
  }

  public func listTokens(
    request: Civicgrid_V1_ListTokensRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_ListTokensResponse {
    let caller = try RequestContext.principal()
    let login = try Validation.code(request.login, field: "login", extra: ["-", "_", ".", "@"])
    return try await self.store.withConnection { connection in
      let account = try await Self.manageableAccount(login, caller: caller, on: connection)
      let tokens = try await Self.tokens(where: "t.account_id = $1", [account.id], on: connection)
      return .with { $0.tokens = tokens }
    }
  }

  /// Callers manage their own tokens; admins also those of accounts in their scope.
  static func manageableAccount(_ login: String, caller: Principal, on connection: StoreConnection) async throws -> (
    account: Civicgrid_V1_Account, id: Int64
  ) {
    if login == caller.login {
      let own = try await Self.scopedAccount(login, field: "login", scope: .everything, on: connection)
      return (own.account, own.id)
    }
    guard caller.has(.admin) else {
      throw RPCError(code: .permissionDenied, message: "login: only an admin manages another account's tokens")
    }
    let found = try await Self.scopedAccount(login, field: "login", scope: caller.scope, on: connection)
    // A token acts with every role of its account: an admin may hold one only for an account
    // it could have granted, so a token never carries more than the caller already has.
    let roles = Set(found.account.roles.compactMap(Role.init))
    if let refusal = Grants.refusal(granter: caller, roles: roles, atUnitPath: found.path) {
      throw RPCError(code: .permissionDenied, message: "login: the account holds more than you can grant (\(refusal))")
    }
    return (found.account, found.id)
  }

  /// Creates a token and returns its secret (the only time it exists outside the caller).
  public static func issueToken(
    on connection: StoreConnection,
    accountID: Int64,
    login: String,
    label: String,
    ttlSeconds: Int64
  ) async throws -> Civicgrid_V1_IssueTokenResponse {
    let secret = BearerToken.generate()
    let inserted = try await connection.query(
      """
      INSERT INTO tokens (account_id, token_sha256, label, expires_at)
      VALUES ($1, $2, $3, now() + ($4::bigint || ' seconds')::interval) RETURNING id
      """,
      [accountID, SQLBytes(BearerToken.digest(of: secret)), label, ttlSeconds]
    )
    let id = try inserted.scalar(Int64.self) ?? 0
    let token = try await Self.tokens(where: "t.id = $1", [id], on: connection)[0]
    return .with {
      $0.secret = secret
      $0.token = token
    }
  }

  static func tokens(where condition: String, _ binds: [any SQLEncodable], on connection: StoreConnection) async throws
    -> [Civicgrid_V1_Token]
  {
    let rows = try await connection.query(
      """
      SELECT t.id, a.login, t.label, (extract(epoch FROM t.issued_at) * 1000000)::bigint,
        (extract(epoch FROM t.expires_at) * 1000000)::bigint, (extract(epoch FROM t.revoked_at) * 1000000)::bigint
      FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE \(condition) ORDER BY t.id
      """,
      binds
    )
    return try rows.rows.map { row in
      let revoked: Int64? = try row.decode(at: 5)
      return try Civicgrid_V1_Token.with {
        $0.id = try row.decode(at: 0)
        $0.login = try row.decode(at: 1)
        $0.label = try row.decode(at: 2)
        $0.issuedAt = Google_Protobuf_Timestamp(micros: try row.decode(at: 3))
        $0.expiresAt = Google_Protobuf_Timestamp(micros: try row.decode(at: 4))
        if let revoked { $0.revokedAt = Google_Protobuf_Timestamp(micros: revoked) }
      }
    }
  }
}
