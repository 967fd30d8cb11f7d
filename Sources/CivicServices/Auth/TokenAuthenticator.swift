public import CivicStore

/// Resolves a bearer secret to the account it was issued to.
///
/// Unknown, revoked and expired tokens, and tokens of disabled accounts, all come back as
/// nil, so the caller cannot tell them apart. Only the SHA-256 of the secret reaches the
/// database.
public struct TokenAuthenticator: Sendable {
  private let store: StorePool

  public init(store: StorePool) {
    self.store = store
  }

  public func principal(forSecret secret: String) async throws -> Principal? {
    let rows = try await self.store.query(
      """
      SELECT a.id, a.login, u.id, u.code, u.path, array_to_string(a.roles, ',')
      FROM tokens t JOIN accounts a ON a.id = t.account_id JOIN units u ON u.id = a.unit_id
      WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND NOT a.disabled
      """,
      [SQLBytes(BearerToken.digest(of: secret))]
    )
    guard let row = rows.rows.first else { return nil }
    let roles = try row.decode(String.self, at: 5).split(separator: ",").compactMap { Role(rawValue: String($0)) }
    return Principal(
      accountID: try row.decode(at: 0),
      login: try row.decode(at: 1),
      unitID: try row.decode(at: 2),
      unitCode: try row.decode(at: 3),
      unitPath: try row.decode(at: 4),
      roles: Set(roles)
    )
  }
}
