import CivicProtos
import CivicServer
import CivicServices
import GRPCCore
import Testing

@Suite("Cancellation reaches the server", .serialized, .timeLimit(.minutes(5)))
struct CancellationTests {
  @Test("a client that cancels ends the server's running handler", arguments: try TransportKind.selected)
  func cancelStopsHandler(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, server in
      try await transport.withClients(ports) { clients in
        let (started, signal) = AsyncStream<Void>.makeStream()
        let watch = Task {
          var request = Grpc_Health_V1_HealthCheckRequest()
          request.service = ""
          try await clients.health.watch(request) { response in
            for try await _ in response.messages { signal.yield() }
          }
        }
        for await _ in started { break }
        #expect(server.health.watcherCount == 1)
        watch.cancel()
        _ = await watch.result
        // The handler ends (and deregisters) only if the cancel reached it.
        let deadline = ContinuousClock.now + .seconds(5)
        while server.health.watcherCount > 0, ContinuousClock.now < deadline {
          try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.health.watcherCount == 0)
      }
    }
  }

  @Test("the server enforces the deadline even when the client does not give up", arguments: try TransportKind.selected)
  func serverSideDeadline(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        var request = Civicgrid_V1_SimpleRequest()
        request.sleepMicros = 5_000_000
        var options = CallOptions.defaults
        options.timeout = .milliseconds(200)
        let error = await #expect(throws: RPCError.self) { try await clients.diagnostics.unaryCall(request, options: options) }
        #expect(error?.code == .deadlineExceeded)
      }
    }
  }
}
