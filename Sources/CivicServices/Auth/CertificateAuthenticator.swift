import CivicRepositories
public import CivicStore

/// Resolves a verified client certificate to the account configured for one of its names
/// (`tls_client_accounts`), so a partner system calls without a bearer token.
///
/// A certificate none of whose names is mapped, or mapped to a missing or disabled account,
/// comes back as nil.
public struct CertificateAuthenticator: Sendable {
  private let store: StorePool
  /// Certificate name to account login, replaced on a reload.
  private let accounts: CertificateAccounts

  public init(store: StorePool, accounts: CertificateAccounts) {
    self.store = store
    self.accounts = accounts
  }

  /// The login mapped to the first of `names` that has one.
  func login(for certificate: ClientCertificate) -> String? {
    self.accounts.login(for: certificate.names)
  }

  public func principal(for certificate: ClientCertificate) async throws -> Principal? {
    guard let login = self.login(for: certificate) else { return nil }
    guard let holder = try await self.store.withConnection({ try await AccountRepository($0).holder(login: login) }) else { return nil }
    return Principal(holder)
  }
}
