import CivicProtos
import CivicServer
import GRPCCore
import Testing

/// What health reports while the server drains.
@Suite("Health during shutdown", .serialized, .timeLimit(.minutes(2)))
struct ShutdownHealthTests {
  @Test("a health watcher sees SERVING, then NOT_SERVING as soon as the graceful shutdown begins", arguments: try TransportKind.selected)
  func notServingDuringShutdown(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, server in
      try await transport.withClients(ports) { clients in
        let statuses = try await clients.health.watch(Grpc_Health_V1_HealthCheckRequest()) { response in
          var statuses: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
          for try await message in response.messages {
            statuses.append(message.status)
            // The watch is in flight once its first answer arrived: now begin the drain.
            if statuses.count == 1 { server.beginGracefulShutdown() }
            // The drain waits for in-flight calls: this one ends once it saw the change.
            if statuses.count == 2 { break }
          }
          return statuses
        }
        #expect(statuses == [.serving, .notServing])
      }
    }
  }
}
