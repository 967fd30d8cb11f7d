/// A token bucket: holds at most `burst` tokens, refills at `ratePerSecond`, and each call
/// takes one. Pure: time comes in as `now`, so tests pass the instants they choose.
public struct TokenBucket: Sendable, Equatable {
  /// What a bucket allows: a sustained rate and the burst above it.
  public struct Limit: Sendable, Hashable, CustomStringConvertible {
    public var ratePerSecond: Double
    public var burst: Int

    public init(ratePerSecond: Double, burst: Int) {
      self.ratePerSecond = ratePerSecond
      self.burst = burst
    }

    /// `RATE/BURST`, as the setting spells it.
    public var description: String {
      let rate = self.ratePerSecond == self.ratePerSecond.rounded() ? "\(Int(self.ratePerSecond))" : "\(self.ratePerSecond)"
      return "\(rate)/\(self.burst)"
    }
  }

  public enum Decision: Sendable, Equatable {
    case admitted
    /// No token: one will be there after `retryAfter`.
    case refused(retryAfter: Duration)
  }

  public let limit: Limit
  public private(set) var tokens: Double
  private var updated: ContinuousClock.Instant

  /// A full bucket at `now`.
  public init(limit: Limit, now: ContinuousClock.Instant) {
    self.limit = limit
    self.tokens = Double(limit.burst)
    self.updated = now
  }

  /// Takes one token if there is one.
  public mutating func take(at now: ContinuousClock.Instant) -> Decision {
    self.refill(at: now)
    if self.tokens >= 1 {
      self.tokens -= 1
      return .admitted
    }
    let seconds = (1 - self.tokens) / self.limit.ratePerSecond
    return .refused(retryAfter: .nanoseconds(Int64((seconds * 1e9).rounded(.up))))
  }

  /// Whether the bucket has refilled completely by `now` (so forgetting it changes nothing).
  public func isFull(at now: ContinuousClock.Instant) -> Bool {
    var copy = self
    copy.refill(at: now)
    return copy.tokens >= Double(self.limit.burst)
  }

  private mutating func refill(at now: ContinuousClock.Instant) {
    guard now > self.updated else { return }
    let elapsed = self.updated.duration(to: now)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    self.tokens = min(Double(self.limit.burst), self.tokens + seconds * self.limit.ratePerSecond)
    self.updated = now
  }
}
