import CivicServices
import Testing

/// Admission control's pure parts as values: the token bucket with the instants the test
/// chooses, the per-role limits setting, and the per-account bucket map.
@Suite("Admission rules", .timeLimit(.minutes(1)))
struct AdmissionRulesTests {
  static let start = ContinuousClock.now
  static func at(_ milliseconds: Int) -> ContinuousClock.Instant { Self.start.advanced(by: .milliseconds(milliseconds)) }

  /// The refusal's hint to the microsecond (the bucket computes in floating point).
  static func retryAfterMicros(_ decision: TokenBucket.Decision) -> Int64? {
    guard case .refused(let after) = decision else { return nil }
    let (seconds, attoseconds) = after.components
    return seconds * 1_000_000 + (attoseconds + 500_000_000_000) / 1_000_000_000_000
  }

  @Test("a bucket admits its burst at once, then one call per 1/rate; a refusal says when the next token comes")
  func bucket() {
    var bucket = TokenBucket(limit: .init(ratePerSecond: 10, burst: 3), now: Self.at(0))
    for _ in 0..<3 { #expect(bucket.take(at: Self.at(0)) == .admitted) }
    #expect(Self.retryAfterMicros(bucket.take(at: Self.at(0))) == 100_000)
    #expect(Self.retryAfterMicros(bucket.take(at: Self.at(40))) == 60_000, "0.4 of a token refilled in 40 ms")
    #expect(bucket.take(at: Self.at(100)) == .admitted)
    #expect(!bucket.isFull(at: Self.at(100)))
    #expect(bucket.isFull(at: Self.at(400)))
    // A long pause refills up to the burst, not beyond.
    for _ in 0..<3 { #expect(bucket.take(at: Self.at(60_000)) == .admitted) }
    #expect(bucket.take(at: Self.at(60_000)) != .admitted)
  }

  @Test("time going backwards refills nothing")
  func clockBackwards() {
    var bucket = TokenBucket(limit: .init(ratePerSecond: 1, burst: 1), now: Self.at(1000))
    #expect(bucket.take(at: Self.at(1000)) == .admitted)
    #expect(bucket.take(at: Self.at(0)) != .admitted)
  }

  @Test("rate_limits: an account takes the most generous limit of its roles, else the * fallback, else none")
  func limitsByRole() throws {
    let limits = try RateLimits(parsing: "clerk=20/40, supervisor=50/100,*=1/2")
    #expect(limits.limit(for: [.clerk]) == .init(ratePerSecond: 20, burst: 40))
    #expect(limits.limit(for: [.clerk, .supervisor]) == .init(ratePerSecond: 50, burst: 100))
    #expect(limits.limit(for: [.admin]) == .init(ratePerSecond: 1, burst: 2))
    #expect(try RateLimits(parsing: "clerk=0.5/1").limit(for: [.admin]) == nil)
    #expect(try RateLimits(parsing: "").isEmpty)
    #expect(limits.description == "clerk=20/40,supervisor=50/100,*=1/2")
  }

  @Test("rate_limits: a malformed entry is refused naming it", arguments: ["clerk=20", "nobody=1/1", "clerk=0/5", "clerk=1/0", "clerk=x/1"])
  func malformed(text: String) {
    #expect {
      try RateLimits(parsing: text)
    } throws: { error in
      "\(error)".contains("'\(text.split(separator: "=")[0])")
    }
  }

  @Test("each account has its own bucket; full buckets are swept once there are many")
  func perAccount() {
    let limiter = AccountRateLimiter(limits: RateLimits(byRole: [.clerk: .init(ratePerSecond: 1, burst: 1)]), sweepAbove: 2)
    #expect(limiter.take(accountID: 1, roles: [.clerk], at: Self.at(0)) == .admitted)
    #expect(limiter.take(accountID: 1, roles: [.clerk], at: Self.at(0)) != .admitted)
    #expect(limiter.take(accountID: 2, roles: [.clerk], at: Self.at(0)) == .admitted, "another account is not held up")
    #expect(limiter.take(accountID: 9, roles: [.admin], at: Self.at(0)) == .admitted, "a role without a limit")
    #expect(limiter.take(accountID: 3, roles: [.clerk], at: Self.at(0)) == .admitted)
    #expect(limiter.bucketCount == 3)
    // Ten seconds later every bucket is full again: the next call sweeps them all out.
    #expect(limiter.take(accountID: 4, roles: [.clerk], at: Self.at(10_000)) == .admitted)
    #expect(limiter.bucketCount == 1)
  }
}
