/// Where the listeners' TLS material is, and which client certificates act as which account.
///
/// Settings (config file, `CIVICGRID_*` environment, flags): `tls_cert` and `tls_key` (PEM
/// certificate chain and private key; both or neither), `tls_client_ca` (PEM CA certificates;
/// set, every client must present a certificate they issued) and `tls_client_accounts`
/// (`NAME=LOGIN,…`: a client certificate whose subject CN or a SAN is NAME acts as the
/// account LOGIN without a bearer token).
public struct TLSFiles: Sendable, Equatable {
  public var certificateChain: String?
  public var privateKey: String?
  public var clientCA: String?
  /// Certificate name (subject CN, DNS/URI/email SAN) to account login.
  public var clientAccounts: [String: String]

  public init(certificateChain: String? = nil, privateKey: String? = nil, clientCA: String? = nil, clientAccounts: [String: String] = [:]) {
    self.certificateChain = certificateChain
    self.privateKey = privateKey
    self.clientCA = clientCA
    self.clientAccounts = clientAccounts
  }

  static let keys = ["tls_cert", "tls_key", "tls_client_ca", "tls_client_accounts"]

  static func apply(key: String, value: String, source: String, to files: inout TLSFiles?) throws(ConfigurationError) {
    var updated = files ?? TLSFiles()
    // An empty value clears the setting, so a flag or variable can undo a config file's.
    let path: String? = value.isEmpty ? nil : value
    switch key {
    case "tls_cert": updated.certificateChain = path
    case "tls_key": updated.privateKey = path
    case "tls_client_ca": updated.clientCA = path
    default:
      guard let accounts = Self.parseAccounts(value) else {
        throw ConfigurationError("\(source): tls_client_accounts must be NAME=LOGIN pairs separated by commas, got '\(value)'")
      }
      updated.clientAccounts = accounts
    }
    files = updated == TLSFiles() ? nil : updated
  }

  /// `NAME=LOGIN,…` with non-empty names and logins, each name once; nil when malformed.
  static func parseAccounts(_ text: String) -> [String: String]? {
    var accounts: [String: String] = [:]
    for pair in text.split(separator: ",", omittingEmptySubsequences: true) {
      let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, accounts[parts[0]] == nil else { return nil }
      accounts[parts[0]] = parts[1]
    }
    return accounts
  }

  func validate() throws(ConfigurationError) {
    guard self.certificateChain != nil, self.privateKey != nil else {
      throw ConfigurationError("tls_cert and tls_key must be given together (TLS needs both; neither serves plaintext)")
    }
    if !self.clientAccounts.isEmpty, self.clientCA == nil {
      throw ConfigurationError("tls_client_accounts needs tls_client_ca: without it no client certificate is asked for")
    }
  }
}

extension Substring {
  fileprivate func trimmingWhitespace() -> String {
    String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
  }
}
