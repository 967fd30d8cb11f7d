import CivicProtos
import CivicServices
import GRPCCore
import Testing

/// The failure throttle in the running server, not only as a pure struct: a peer that keeps
/// presenting bad tokens is held back, while good tokens are not.
@Suite("Failure throttle end to end", .timeLimit(.minutes(5)))
struct FailureThrottleEndToEndTests {
  @Test("after the free failures a bad token's UNAUTHENTICATED is held back past the call's deadline; a good token still answers")
  func holdsBackRepeatedFailures() async throws {
    // A hold-back far longer than the test may run: whether a call was held is told by how
    // it ended (DEADLINE_EXCEEDED instead of UNAUTHENTICATED), not by measuring it.
    let throttle = FailureThrottle.Settings(
      freeFailures: 2,
      window: .seconds(3600),
      firstDelay: .seconds(3600),
      maxDelay: .seconds(3600),
      maxPeers: 16
    )
    try await ServiceHarness.withServer(throttle: throttle) { harness in
      var options = CallOptions.defaults
      options.timeout = .seconds(2)
      let bad = Metadata.bearer(BearerToken.generate())
      for attempt in 1...2 {
        let error = await #expect(throws: RPCError.self) { _ = try await harness.directory.whoAmI(.init(), metadata: bad, options: options) }
        #expect(error?.code == .unauthenticated, "free failure \(attempt)")
        #expect(error?.message == AuthInterceptor.unauthenticatedMessage)
      }
      let held = await #expect(throws: RPCError.self) { _ = try await harness.directory.whoAmI(.init(), metadata: bad, options: options) }
      #expect(held?.code == .deadlineExceeded, "the third failure is held back, got \(String(describing: held))")
      // Only failures are throttled: the same peer with a valid token is answered.
      let me = try await harness.directory.whoAmI(.init(), metadata: .bearer(harness.adminToken), options: options)
      #expect(me.account.login == "admin")
    }
  }
}
