public import CivicServices
public import Logging

/// Applies changed TLS settings without a restart (civicgridd does it on SIGHUP,
/// docs/OPERATIONS.md): the certificate both listeners present and the client certificate
/// to account map (`tls_client_accounts`). All or nothing: when any file or setting is bad,
/// the error is logged and the previous certificate and map stay in force.
public struct TLSReloader: Sendable {
  private let server: CivicGridServer
  private let accounts: CertificateAccounts
  private let logger: Logger

  public init(server: CivicGridServer, accounts: CertificateAccounts, logger: Logger) {
    self.server = server
    self.accounts = accounts
    self.logger = logger
  }

  /// Re-reads the settings with `resolve` and applies their TLS part; whether it did.
  @discardableResult
  public func reload(_ resolve: () throws -> ServerConfiguration) -> Bool {
    do {
      let tls = try resolve().tls
      try self.server.reloadTLS(tls)
      let accounts = tls?.clientAccounts ?? [:]
      self.accounts.replace(with: accounts)
      self.logger.notice(
        "reloaded TLS: new connections get the certificate now in tls_cert; every call uses the new tls_client_accounts",
        metadata: ["tls.client_accounts": "\(accounts.count)"]
      )
      return true
    } catch {
      self.logger.error(
        "TLS reload refused; the previous certificate and client accounts stay in force",
        metadata: ["error": "\(error)"]
      )
      return false
    }
  }
}
