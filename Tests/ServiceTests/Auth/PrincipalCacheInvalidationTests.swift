import CivicProtos
import CivicRepositories
import CivicServices
import CivicStore
import Logging
import Testing

/// A cached token principal is dropped as soon as the database announces a change to tokens,
/// accounts or units (migration 0027's trigger, heard by the instance's `FeedListener`). The
/// cache's lifetime is an hour here, so only the announcement can make these pass.
@Suite("Principal cache invalidation", .serialized, .timeLimit(.minutes(3)))
struct PrincipalCacheInvalidationTests {
  static let logger = Logger(label: "servicetests.principalcache") { _ in SwiftLogNoOpLogHandler() }

  @Test("revoking a token, disabling an account or taking its roles away reaches the cached principal at once, made on another connection")
  func changesReachTheCache() async throws {
    try await CaseFixture.with { f in
      let cache = PrincipalCache(lifetime: .seconds(3600))
      let listener = FeedListener(store: f.pool, logger: Self.logger, principalCache: cache)
      let authenticator = TokenAuthenticator(store: f.pool, cache: cache)
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await listener.run() }
        defer { group.cancelAll() }
        for _ in 0..<200 where cache.readEpoch() == nil { try await Task.sleep(for: .milliseconds(50)) }
        try #require(cache.readEpoch() != nil, "the listener never connected")

        let changes: [(String, (Int64, Int64) -> SQLQuery)] = [
          ("token revoked", { token, _ in "UPDATE tokens SET revoked_at = now() WHERE id = \(token)" }),
          ("account disabled", { _, account in "UPDATE accounts SET disabled = true WHERE id = \(account)" }),
          ("roles taken away", { _, account in "UPDATE accounts SET roles = '{}' WHERE id = \(account)" }),
        ]
        for (index, (change, statement)) in changes.enumerated() {
          let secret = BearerToken.generate()
          let (account, token) = try await Self.issue(secret, login: "cached\(index)", unit: f.units["CTR"]!.id, pool: f.pool)
          let first = try #require(try await authenticator.principal(forSecret: secret))
          #expect(first.roles == [.clerk])
          #expect(cache.principal(for: BearerToken.digest(of: secret)) == first, "\(change): not cached")

          _ = try await f.pool.query(statement(token, account))
          var seen: Principal? = first
          for _ in 0..<200 {
            seen = try await authenticator.principal(forSecret: secret)
            if seen != first { break }
            try await Task.sleep(for: .milliseconds(25))
          }
          #expect(seen != first, "\(change): the cached principal was still answered")
          if change == "roles taken away" { #expect(seen?.roles == []) } else { #expect(seen == nil) }
        }
      }
    }
  }

  @Test("RevokeToken on this instance drops the cached principal before it answers, without waiting for the notice")
  func revokedHere() async throws {
    try await CaseFixture.with { f in
      // No listener runs, so no notice can arrive: only the service's own invalidation counts.
      let cache = PrincipalCache(lifetime: .seconds(3600))
      cache.listening(true)
      let authenticator = TokenAuthenticator(store: f.pool, cache: cache)
      let directory = DirectoryService(store: f.pool, principalCache: cache)
      let secret = BearerToken.generate()
      let (_, token) = try await Self.issue(secret, login: "revoker", unit: f.units["CTR"]!.id, pool: f.pool)
      let owner = try #require(try await authenticator.principal(forSecret: secret))
      #expect(try await authenticator.principal(forSecret: secret) == owner)

      var revoke = Civicgrid_V1_RevokeTokenRequest()
      revoke.id = token
      let revoked = try await f.call(owner) { try await directory.revokeToken(request: revoke, context: $0) }
      #expect(revoked.id == token)
      #expect(try await authenticator.principal(forSecret: secret) == nil)
    }
  }

  /// An account in `unit` with the clerk role, and a token for it with `secret`.
  static func issue(_ secret: String, login: String, unit: Int64, pool: StorePool) async throws -> (account: Int64, token: Int64) {
    try await pool.transaction { connection in
      let account = try #require(
        try await connection.query("INSERT INTO accounts (login, unit_id, roles) VALUES (\(login), \(unit), '{clerk}') RETURNING id").scalar(Int64.self)
      )
      let token = try await TokenRepository(connection).insert(accountID: account, digest: BearerToken.digest(of: secret), label: "cache", ttlSeconds: 3600)
      return (account, token.id)
    }
  }
}
