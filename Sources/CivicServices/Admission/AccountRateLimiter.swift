import Synchronization

/// One token bucket per account, made on the account's first call with the limit of its
/// roles (`RateLimits`). Buckets that have refilled are forgotten once there are many, so
/// the map stays bounded by the accounts active in the last few seconds.
public final class AccountRateLimiter: Sendable {
  private struct Key: Hashable {
    var accountID: Int64
    var limit: TokenBucket.Limit
  }

  public let limits: RateLimits
  private let buckets = Mutex<[Key: TokenBucket]>([:])
  /// Above this many buckets, a call sweeps out the full ones.
  private let sweepAbove: Int

  public init(limits: RateLimits, sweepAbove: Int = 10_000) {
    self.limits = limits
    self.sweepAbove = sweepAbove
  }

  /// Takes a token from the account's bucket; accounts without a limit are always admitted.
  public func take(accountID: Int64, roles: Set<Role>, at now: ContinuousClock.Instant = .now) -> TokenBucket.Decision {
    guard let limit = self.limits.limit(for: roles) else { return .admitted }
    // Keyed by the limit too: a change of roles starts a bucket of the new size.
    let key = Key(accountID: accountID, limit: limit)
    return self.buckets.withLock { buckets in
      if buckets.count > self.sweepAbove {
        buckets = buckets.filter { !$0.value.isFull(at: now) }
      }
      var bucket = buckets[key] ?? TokenBucket(limit: limit, now: now)
      let decision = bucket.take(at: now)
      buckets[key] = bucket
      return decision
    }
  }

  /// Buckets held now (tests check the sweep).
  public var bucketCount: Int { self.buckets.withLock { $0.count } }
}
