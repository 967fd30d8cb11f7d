import CivicServer
import Logging
import Prometheus

/// Runs a real `CivicGridServer` (both listeners) on loopback with ports picked by the
/// kernel, for the duration of `body`.
enum TestServer {
  static func configuration(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
    var configuration = ServerConfiguration.defaults
    configuration.wireListen = ListenAddress(host: "127.0.0.1", port: 0)
    configuration.grpcListen = ListenAddress(host: "127.0.0.1", port: 0)
    configuration.metricsListen = ListenAddress(host: "127.0.0.1", port: 0)
    adjust(&configuration)
    return configuration
  }

  static func withRunning<Result: Sendable>(
    _ configuration: ServerConfiguration = Self.configuration(),
    _ body: (CivicGridServer.BoundPorts, CivicGridServer) async throws -> Result
  ) async throws -> Result {
    let logger = Logger(label: "test-server") { _ in SwiftLogNoOpLogHandler() }
    let server = CivicGridServer(configuration: configuration, registry: PrometheusCollectorRegistry(), logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await server.run() }
      do {
        let ports = try await server.boundPorts
        let result = try await body(ports, server)
        group.cancelAll()
        return result
      } catch {
        group.cancelAll()
        throw error
      }
    }
  }
}
