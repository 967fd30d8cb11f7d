import Synchronization

/// Client certificate name (subject CN or SAN) to account login (`tls_client_accounts`),
/// replaceable while the server runs: a reload (SIGHUP, docs/OPERATIONS.md) swaps the whole
/// map at once, and every call looks it up afresh.
public final class CertificateAccounts: Sendable {
  private let map: Mutex<[String: String]>

  public init(_ map: [String: String] = [:]) {
    self.map = Mutex(map)
  }

  /// The map now in force.
  public var current: [String: String] { self.map.withLock { $0 } }

  public func replace(with map: [String: String]) {
    self.map.withLock { $0 = map }
  }

  /// The login mapped to the first of `names` that has one.
  func login(for names: [String]) -> String? {
    let map = self.current
    return names.lazy.compactMap { map[$0] }.first
  }
}
