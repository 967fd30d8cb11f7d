import CivicProtos
import CivicServer
import CivicServices
import CivicWireCore
import GRPCCore
import Testing

/// The per-account rate limit in the running server: an account past its burst is refused
/// at once, before its handler, with a retry hint; other accounts and roles are not held up.
@Suite("Rate limit end to end", .timeLimit(.minutes(5)))
struct RateLimitEndToEndTests {
  @Test("a clerk limited to 1 call per 10 s, burst 2: the third call is RESOURCE_EXHAUSTED with retry-after-ms and never reaches its handler; another clerk and an unlisted role pass")
  func clerkRateLimit() async throws {
    let limits = try RateLimits(parsing: "clerk=0.1/2")
    try await ServiceHarness.withServer(adjust: { $0.rateLimits = limits }) { harness in
      let clerk = Metadata.bearer(try await harness.account("rate-clerk", unit: "QH-S1", roles: [.clerk]))
      func probed(_ id: String) -> Metadata {
        var metadata = clerk
        metadata.addString(id, forKey: HandlerCalls.metadataKey)
        return metadata
      }
      for call in 1...2 {
        let me = try await harness.directory.whoAmI(.init(), metadata: probed("rate-\(call)"))
        #expect(me.account.login == "rate-clerk", "call \(call) within the burst")
      }
      #expect(harness.handlerCalls.contains("rate-2"))
      let error = await #expect(throws: RPCError.self) { _ = try await harness.directory.whoAmI(.init(), metadata: probed("rate-3")) }
      #expect(error?.code == .resourceExhausted)
      let hint = error?.metadata[stringValues: RetryAfterMetadata.key].first(where: { _ in true }).flatMap { Int($0) }
      // A token comes back within 10 s at 0.1 per second (less the refill since the burst).
      #expect(hint.map { (1...10_000).contains($0) } == true, "retry-after-ms \(String(describing: hint))")
      #expect(!harness.handlerCalls.contains("rate-3"), "the refused call never reached its handler")
      // Buckets are per account; a role that rate_limits does not list is not limited.
      let otherClerk = Metadata.bearer(try await harness.account("rate-clerk-2", unit: "QH-S1", roles: [.clerk]))
      _ = try await harness.directory.whoAmI(.init(), metadata: otherClerk)
      let handler = Metadata.bearer(try await harness.account("rate-handler", unit: "QH-S1", roles: [.handler]))
      for _ in 1...5 {
        _ = try await harness.directory.whoAmI(.init(), metadata: handler)
      }
    }
  }
}
