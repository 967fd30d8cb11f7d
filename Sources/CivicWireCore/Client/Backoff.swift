public import NIOCore

/// Reconnection backoff after a failed connect, as gRPC's connection-backoff spec:
/// exponential with jitter, capped.
public struct Backoff: Sendable, Hashable {
  public var initial: TimeAmount
  public var maximum: TimeAmount
  public var multiplier: Double
  /// Fraction of each delay randomly added or removed (0.2 = ±20%).
  public var jitter: Double

  /// 1 s, ×1.6 per failure, at most 120 s, ±20%.
  public static var defaults: Backoff {
    Backoff(initial: .seconds(1), maximum: .seconds(120), multiplier: 1.6, jitter: 0.2)
  }

  public init(initial: TimeAmount, maximum: TimeAmount, multiplier: Double, jitter: Double) {
    self.initial = initial
    self.maximum = maximum
    self.multiplier = multiplier
    self.jitter = jitter
  }

  /// The delay before attempt `failures + 1`, given `failures` consecutive failures (≥ 1).
  public func delay(afterFailures failures: Int, random: Double = Double.random(in: -1...1)) -> TimeAmount {
    var nanos = Double(self.initial.nanoseconds)
    for _ in 1..<max(1, failures) { nanos *= self.multiplier }
    nanos = min(nanos, Double(self.maximum.nanoseconds))
    nanos += nanos * self.jitter * random
    return .nanoseconds(Int64(max(0, nanos)))
  }
}
