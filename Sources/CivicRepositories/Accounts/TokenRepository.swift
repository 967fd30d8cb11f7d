import CivicDomain
public import CivicStore

/// Bearer tokens (`tokens`): only the SHA-256 of a secret is stored or compared.
public struct TokenRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The holder of the token with this digest, if it is unrevoked, unexpired and its account
  /// enabled; every other case reads as nil, so a caller cannot tell them apart.
  public func holder(digest: [UInt8]) async throws(StoreError) -> TokenGrant? {
    try await self.connection.query(
      """
      SELECT a.id, a.login, u.id, u.code, u.path, array_to_string(a.roles, ','),
        (extract(epoch FROM t.expires_at - now()) * 1000000)::bigint AS expires_in_micros
      FROM tokens t JOIN accounts a ON a.id = t.account_id JOIN units u ON u.id = a.unit_id
      WHERE t.token_sha256 = \(SQLBytes(digest)) AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT a.disabled
      """
    ).first(TokenGrant.self)
  }

  /// Stores a new token's digest for `accountID`, valid for `ttlSeconds`; returns the token.
  public func insert(accountID: Int64, digest: [UInt8], label: String, ttlSeconds: Int64) async throws -> TokenRecord {
    let id = try await self.connection.query(
      """
      INSERT INTO tokens (account_id, token_sha256, label, expires_at)
      VALUES (\(accountID), \(SQLBytes(digest)), \(label), now() + (\(ttlSeconds)::bigint || ' seconds')::interval)
      RETURNING id
      """
    ).scalar(Int64.self)
    guard let id, let token = try await self.token(id: id) else { throw DomainError.notFound("account \(accountID)") }
    return token
  }

  /// The token with `id`, or nil.
  public func token(id: Int64) async throws(StoreError) -> TokenRecord? {
    try await self.connection.query("SELECT \(TokenRecord.columns) WHERE t.id = \(id)").first(TokenRecord.self)
  }

  /// Every token of `accountID`, oldest first.
  public func tokens(accountID: Int64) async throws(StoreError) -> [TokenRecord] {
    try await self.connection.query("SELECT \(TokenRecord.columns) WHERE t.account_id = \(accountID) ORDER BY t.id").decode(TokenRecord.self)
  }

  /// Marks the token revoked (a second revocation keeps the first time).
  public func revoke(id: Int64) async throws(StoreError) {
    try await self.connection.execute("UPDATE tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL")
  }
}
