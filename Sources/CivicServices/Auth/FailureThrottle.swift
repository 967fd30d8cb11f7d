/// Slows down a peer that keeps presenting bad tokens: the first `freeFailures` failures
/// within `window` answer at once; each further one waits twice as long as the previous
/// (from `firstDelay` up to `maxDelay`) before its UNAUTHENTICATED answer.
///
/// Pure state keyed by peer host; the interceptor owns it behind a lock and passes the
/// time in, so tests drive it without sleeping.
public struct FailureThrottle: Sendable {
  public struct Settings: Sendable {
    public var freeFailures: Int
    public var window: Duration
    public var firstDelay: Duration
    public var maxDelay: Duration
    /// At most this many peers are tracked; the oldest are forgotten first.
    public var maxPeers: Int

    public init(freeFailures: Int, window: Duration, firstDelay: Duration, maxDelay: Duration, maxPeers: Int) {
      self.freeFailures = freeFailures
      self.window = window
      self.firstDelay = firstDelay
      self.maxDelay = maxDelay
      self.maxPeers = maxPeers
    }

    public static let standard = Settings(
      freeFailures: 5,
      window: .seconds(60),
      firstDelay: .milliseconds(250),
      maxDelay: .seconds(5),
      maxPeers: 10_000
    )
    /// Never delays (tests that fire many bad tokens on purpose).
    public static let disabled = Settings(
      freeFailures: .max,
      window: .seconds(60),
      firstDelay: .zero,
      maxDelay: .zero,
      maxPeers: 1
    )
  }

  private struct Record {
    var failures: Int
    var windowStart: ContinuousClock.Instant
  }

  public let settings: Settings
  private var records: [String: Record] = [:]

  public init(settings: Settings = .standard) {
    self.settings = settings
  }

  /// Records one failure from `peer` at `now` and returns how long to hold the answer.
  public mutating func recordFailure(peer: String, now: ContinuousClock.Instant) -> Duration {
    var record = self.records[peer] ?? Record(failures: 0, windowStart: now)
    if now - record.windowStart > self.settings.window {
      record = Record(failures: 0, windowStart: now)
    }
    record.failures += 1
    if self.records[peer] == nil, self.records.count >= self.settings.maxPeers {
      self.forgetOldest()
    }
    self.records[peer] = record
    let excess = record.failures - self.settings.freeFailures
    guard excess > 0 else { return .zero }
    let doublings = min(excess - 1, 30)
    return min(self.settings.firstDelay * (1 << doublings), self.settings.maxDelay)
  }

  /// The failures counted for `peer` in its current window.
  public func failures(peer: String) -> Int { self.records[peer]?.failures ?? 0 }

  private mutating func forgetOldest() {
    guard let oldest = self.records.min(by: { $0.value.windowStart < $1.value.windowStart })?.key else { return }
    self.records[oldest] = nil
  }

  /// The host part of a gRPC peer description (`ipv4:127.0.0.1:5000` → `ipv4:127.0.0.1`),
  /// so one client's many connections count together.
  public static func host(ofPeer peer: String) -> String {
    guard let colon = peer.lastIndex(of: ":"), peer[peer.index(after: colon)...].allSatisfy(\.isNumber) else { return peer }
    return String(peer[..<colon])
  }
}
