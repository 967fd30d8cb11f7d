import CivicRepositories
public import CivicStore

/// Resolves a bearer secret to the account it was issued to.
///
/// Unknown, revoked and expired tokens, and tokens of disabled accounts, all come back as
/// nil, so the caller cannot tell them apart. Only the SHA-256 of the secret reaches the
/// database. With a `cache`, a token's principal is read once and kept while the cache
/// trusts it (`PrincipalCache`).
public struct TokenAuthenticator: Sendable {
  private let store: StorePool
  private let cache: PrincipalCache?

  public init(store: StorePool, cache: PrincipalCache? = nil) {
    self.store = store
    self.cache = cache
  }

  public func principal(forSecret secret: String) async throws -> Principal? {
    let digest = BearerToken.digest(of: secret)
    if let principal = self.cache?.principal(for: digest) { return principal }
    // The epoch is taken before the read, so a change announced during it discards the result.
    let epoch = self.cache?.readEpoch()
    guard let grant = try await self.store.withConnection({ try await TokenRepository($0).holder(digest: digest) }) else { return nil }
    let principal = Principal(grant.holder)
    if let cache = self.cache, let epoch {
      cache.store(principal, for: digest, readAt: epoch, tokenExpiresIn: .microseconds(grant.expiresInMicros))
    }
    return principal
  }
}

extension Principal {
  /// The caller a token or a mapped client certificate acts as.
  init(_ holder: TokenHolder) {
    self.init(
      accountID: holder.accountID,
      login: holder.login,
      unitID: holder.unitID,
      unitCode: holder.unitCode,
      unitPath: holder.unitPath,
      roles: Set(holder.roles.compactMap(Role.init(rawValue:)))
    )
  }
}
