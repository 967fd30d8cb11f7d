import Metrics

/// Authentication failures by reason, `civicgrid_auth_failures_total{reason}`.
///
/// A well-formed token that is unknown, revoked, expired or of a disabled account is one
/// reason, `rejected`: the authenticator tells them apart for nobody (docs/SECURITY.md).
struct AuthFailureCounters: Sendable {
  enum Reason: String, CaseIterable, Sendable {
    /// No `authorization` metadata.
    case missing
    /// `authorization` metadata that is not `Bearer <token>` of the token's form.
    case malformed
    /// A token of the right form that resolves to no active account.
    case rejected
    /// A client certificate (mutual TLS, no `authorization`) mapped to no active account.
    case certificate
  }

  private let counters: [Reason: Counter]

  init() {
    self.counters = Dictionary(
      uniqueKeysWithValues: Reason.allCases.map {
        ($0, Counter(label: "civicgrid_auth_failures_total", dimensions: [("reason", $0.rawValue)]))
      }
    )
  }

  func count(_ reason: Reason) {
    self.counters[reason]?.increment()
  }
}
