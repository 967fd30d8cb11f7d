import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
public import GRPCCore
import Logging
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
      CallLog.current.info(
        "token issued",
        metadata: ["token.id": "\(issued.token.id)", "token.login": "\(login)", "token.ttl_seconds": "\(ttl)"]
      )
      return issued
    }
  }

  public func revokeToken(request: Civicgrid_V1_RevokeTokenRequest, context: ServerContext) async throws -> Civicgrid_V1_Token {
    let caller = try RequestContext.principal()
    guard request.id > 0 else { throw Validation.invalid("id", "is required") }
    let missing = DomainError.notFound("id: token '\(request.id)'")
    // The caller may use the token again the moment this answers, before the notice arrives.
    defer { self.principalCache?.invalidate() }
    return try await self.store.transaction { connection in
      let tokens = TokenRepository(connection)
      guard let token = try await tokens.token(id: request.id) else { throw missing }
      do {
        _ = try await Self.manageableAccount(token.login, caller: caller, on: connection)
      } catch DomainError.notFound, DomainError.permissionDenied {
        // Whether a token outside the caller's reach exists is not the caller's business.
        throw missing
      }
      try await tokens.revoke(id: request.id)
      try await AuditLog.append(on: connection, object: "account:\(token.login)", summary: "revoked token \(request.id)")
      guard let revoked = try await tokens.token(id: request.id) else { throw missing }
      return DirectoryMapping.message(revoked)
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
      let tokens = try await TokenRepository(connection).tokens(accountID: account.id)
      return .with { $0.tokens = tokens.map { DirectoryMapping.message($0) } }
    }
  }

  /// Callers manage their own tokens; admins also those of accounts in their scope.
  static func manageableAccount(_ login: String, caller: Principal, on connection: StoreConnection) async throws -> AccountRecord {
    if login == caller.login {
      return try await Self.scopedAccount(login, field: "login", scope: .everything, on: connection)
    }
    guard caller.has(.admin) else {
      throw DomainError.permissionDenied("login: only an admin manages another account's tokens")
    }
    let found = try await Self.scopedAccount(login, field: "login", scope: caller.scope, on: connection)
    // A token acts with every role of its account: an admin may hold one only for an account
    // it could have granted, so a token never carries more than the caller already has.
    let roles = Set(found.roles.compactMap(Role.init(rawValue:)))
    if let refusal = Grants.refusal(granter: caller, roles: roles, atUnitPath: found.unitPath) {
      throw DomainError.permissionDenied("login: the account holds more than you can grant (\(refusal))")
    }
    return found
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
    let token = try await TokenRepository(connection).insert(
      accountID: accountID,
      digest: BearerToken.digest(of: secret),
      label: label,
      ttlSeconds: ttlSeconds
    )
    return .with {
      $0.secret = secret
      $0.token = DirectoryMapping.message(token)
    }
  }
}
