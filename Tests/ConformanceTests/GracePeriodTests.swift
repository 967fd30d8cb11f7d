import CivicProtos
import CivicServer
import GRPCCore
import Testing

/// The end of a drain: calls still running when the grace period is over.
@Suite("Grace period", .serialized, .timeLimit(.minutes(2)))
struct GracePeriodTests {
  @Test("a call still running past the grace period ends UNAVAILABLE", arguments: try TransportKind.selected)
  func callPastGracePeriod(transport: TransportKind) async throws {
    let configuration = TestServer.configuration { $0.gracePeriodSeconds = 1 }
    try await TestServer.withRunning(configuration) { ports, server in
      try await transport.withClients(ports) { clients in
        // One answer at once, a second only after 30 s: far past the 1 s grace period, so
        // the call can only end early by being failed, never by completing.
        let request = WireNegativeTests.twoAnswers(secondAfterMicros: 30_000_000)
        let error = await #expect(throws: RPCError.self) {
          try await clients.diagnostics.streamingOutputCall(request) { response in
            var received = 0
            for try await _ in response.messages {
              received += 1
              // In flight for sure once its first answer arrived: now begin the drain.
              if received == 1 { server.beginGracefulShutdown() }
            }
            #expect(received == 1, "the late answer must not arrive")
          }
        }
        // Over both transports: the drain lets the call run on, and the grace period's end
        // fails it UNAVAILABLE (over HTTP/2 through DrainingServerTransport).
        #expect(error?.code == .unavailable, "\(String(describing: error))")
      }
    }
  }
}
