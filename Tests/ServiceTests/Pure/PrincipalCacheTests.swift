import CivicServices
import Testing

/// When the cache of token principals trusts an entry (`PrincipalCache`), without a database.
@Suite("Principal cache", .timeLimit(.minutes(1)))
struct PrincipalCacheTests {
  static let clerk = Principal(accountID: 7, login: "clerk1", unitID: 2, unitCode: "CTR", unitPath: "/D01/CTR/", roles: [.clerk])
  static let digest: [UInt8] = Array(repeating: 0xAB, count: 32)
  static let hour = Duration.seconds(3600)

  /// A cache whose listener is connected.
  static func listeningCache(lifetime: Duration = .seconds(5), capacity: Int = 10_000) -> PrincipalCache {
    let cache = PrincipalCache(lifetime: lifetime, capacity: capacity)
    cache.listening(true)
    return cache
  }

  @Test("nothing is cached while the listener is not connected")
  func notListening() throws {
    let cache = PrincipalCache()
    #expect(cache.readEpoch() == nil)
    cache.store(Self.clerk, for: Self.digest, readAt: 0, tokenExpiresIn: Self.hour)
    #expect(cache.principal(for: Self.digest) == nil)
    #expect(cache.count == 0)
  }

  @Test("a principal read while listening is answered from the cache")
  func hit() throws {
    let cache = Self.listeningCache()
    let epoch = try #require(cache.readEpoch())
    cache.store(Self.clerk, for: Self.digest, readAt: epoch, tokenExpiresIn: Self.hour)
    #expect(cache.principal(for: Self.digest) == Self.clerk)
    #expect(cache.principal(for: Array(repeating: 0xCD, count: 32)) == nil)
  }

  @Test("a change announced during the read discards what was read")
  func changeDuringRead() throws {
    let cache = Self.listeningCache()
    let epoch = try #require(cache.readEpoch())
    cache.invalidate()
    cache.store(Self.clerk, for: Self.digest, readAt: epoch, tokenExpiresIn: Self.hour)
    #expect(cache.principal(for: Self.digest) == nil)
  }

  @Test("an announced change, a lost connection and a reconnection each drop every entry")
  func dropped() throws {
    for event in ["invalidate", "lost", "reconnected"] {
      let cache = Self.listeningCache()
      cache.store(Self.clerk, for: Self.digest, readAt: try #require(cache.readEpoch()), tokenExpiresIn: Self.hour)
      switch event {
      case "invalidate": cache.invalidate()
      case "lost": cache.listening(false)
      default: cache.listening(true)
      }
      #expect(cache.principal(for: Self.digest) == nil, "after \(event)")
      #expect(cache.count == 0, "after \(event)")
    }
  }

  @Test("an entry lives no longer than the lifetime, nor past its token's expiry")
  func lifetime() throws {
    let start = ContinuousClock.Instant.now
    let cache = Self.listeningCache(lifetime: .seconds(5))
    let other: [UInt8] = Array(repeating: 0x01, count: 32)
    cache.store(Self.clerk, for: Self.digest, readAt: try #require(cache.readEpoch()), tokenExpiresIn: Self.hour, now: start)
    cache.store(Self.clerk, for: other, readAt: try #require(cache.readEpoch()), tokenExpiresIn: .seconds(1), now: start)
    #expect(cache.principal(for: Self.digest, now: start + .seconds(4)) == Self.clerk)
    #expect(cache.principal(for: Self.digest, now: start + .seconds(5)) == nil)
    #expect(cache.principal(for: other, now: start + .milliseconds(999)) == Self.clerk)
    #expect(cache.principal(for: other, now: start + .seconds(1)) == nil)
  }

  @Test("a full cache starts over instead of growing")
  func capacity() throws {
    let cache = Self.listeningCache(capacity: 3)
    let epoch = try #require(cache.readEpoch())
    for byte in UInt8(0)..<4 { cache.store(Self.clerk, for: [byte], readAt: epoch, tokenExpiresIn: Self.hour) }
    #expect(cache.count == 1)
    #expect(cache.principal(for: [3]) == Self.clerk)
  }
}
