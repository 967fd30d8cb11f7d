import CivicProtos
import CivicWire
import CivicWireCore
import GRPCCore
import NIOCore
import NIOPosix
import SwiftProtobuf
import Testing

/// Where a CivicWire call's handler runs: on the event loop that serves its connection by
/// default (`CivicWireServerConfig.callsOnEventLoop`), else on Swift's global executor.
@Suite("Where CivicWire calls run", .timeLimit(.minutes(1)))
struct CallExecutorTests {
  /// Answers SERVING when its handler runs on an event loop thread, NOT_SERVING otherwise.
  struct ThreadProbe: Grpc_Health_V1_Health.SimpleServiceProtocol {
    func check(request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthCheckResponse {
      // After a suspension too: the call comes back to where it runs.
      await Task.yield()
      return .with { $0.status = MultiThreadedEventLoopGroup.currentEventLoop == nil ? .notServing : .serving }
    }

    func list(request: Grpc_Health_V1_HealthListRequest, context: ServerContext) async throws -> Grpc_Health_V1_HealthListResponse {
      throw RPCError(code: .unimplemented, message: "not probed")
    }

    func watch(
      request: Grpc_Health_V1_HealthCheckRequest,
      response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
      context: ServerContext
    ) async throws {
      throw RPCError(code: .unimplemented, message: "not probed")
    }
  }

  @Test("calls run on the connection's event loop, or off every event loop when told so", arguments: [true, false])
  func executor(onEventLoop: Bool) async throws {
    var config = CivicWireServerConfig.defaults
    config.callsOnEventLoop = onEventLoop
    let transport = CivicWireServerTransport(host: "127.0.0.1", port: 0, config: config)
    let server = GRPCServer(transport: transport, services: [ThreadProbe()])
    try await withThrowingDiscardingTaskGroup { group in
      group.addTask { try await server.serve() }
      let port = try #require(try await transport.listeningAddress.port)
      try await withGRPCClient(transport: try CivicWireClientTransport(host: "127.0.0.1", port: port)) { client in
        let health = Grpc_Health_V1_Health.Client(wrapping: client)
        for _ in 0..<5 {
          let answer = try await health.check(Grpc_Health_V1_HealthCheckRequest())
          #expect(answer.status == (onEventLoop ? .serving : .notServing))
        }
      }
      server.beginGracefulShutdown()
    }
  }
}
