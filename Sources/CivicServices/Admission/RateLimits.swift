import Foundation

/// Per-role rate limits for authenticated calls (setting `rate_limits`,
/// docs/RELIABILITY.md): `ROLE=RATE/BURST` entries separated by commas, `*` for accounts
/// none of whose roles is listed. An account gets the most generous limit among its roles.
/// Empty (the default): no rate limit.
public struct RateLimits: Sendable, Equatable, CustomStringConvertible {
  public var byRole: [Role: TokenBucket.Limit]
  /// For accounts whose roles are not listed; nil: they are not limited.
  public var fallback: TokenBucket.Limit?

  public init(byRole: [Role: TokenBucket.Limit] = [:], fallback: TokenBucket.Limit? = nil) {
    self.byRole = byRole
    self.fallback = fallback
  }

  public static let none = RateLimits()

  public var isEmpty: Bool { self.byRole.isEmpty && self.fallback == nil }

  /// The limit of an account with `roles`: the highest rate among its listed roles (then
  /// the larger burst), else the fallback.
  public func limit(for roles: Set<Role>) -> TokenBucket.Limit? {
    let listed = roles.compactMap { self.byRole[$0] }
    return listed.max { ($0.ratePerSecond, $0.burst) < ($1.ratePerSecond, $1.burst) } ?? self.fallback
  }

  /// A problem in the setting's text, naming the entry.
  public struct ParseError: Error, Equatable, CustomStringConvertible {
    public var description: String
  }

  /// Parses `clerk=20/40,supervisor=50/100,*=10/20`.
  public init(parsing text: String) throws(ParseError) {
    self.init()
    for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
      let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
      let numbers = parts.count == 2 ? parts[1].split(separator: "/").map(String.init) : []
      guard numbers.count == 2, let rate = Double(numbers[0]), rate > 0, rate.isFinite,
        let burst = Int(numbers[1]), burst >= 1
      else {
        throw ParseError(description: "'\(entry)' is not ROLE=RATE/BURST (RATE > 0 calls per second, BURST ≥ 1)")
      }
      let limit = TokenBucket.Limit(ratePerSecond: rate, burst: burst)
      if parts[0] == "*" {
        self.fallback = limit
      } else if let role = Role(rawValue: parts[0]) {
        self.byRole[role] = limit
      } else {
        throw ParseError(description: "'\(parts[0])' is not a role (known: \(Role.allCases.map(\.rawValue).joined(separator: ", ")), or *)")
      }
    }
  }

  public var description: String {
    let entries = self.byRole.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }
    return (entries + (self.fallback.map { ["*=\($0)"] } ?? [])).joined(separator: ",")
  }
}
