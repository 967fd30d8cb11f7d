import CivicRepositories
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
    let digest = BearerToken.digest(of: secret)
    guard let holder = try await self.store.withConnection({ try await TokenRepository($0).holder(digest: digest) }) else { return nil }
    return Principal(holder)
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
