public import Logging
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix
public import Prometheus
import ServiceLifecycle

/// Serves the Prometheus text format at `GET /metrics` over HTTP/1.1.
public struct MetricsEndpoint: Sendable {
  private let host: String
  private let port: Int
  private let registry: PrometheusCollectorRegistry

  public init(host: String, port: Int, registry: PrometheusCollectorRegistry) {
    self.host = host
    self.port = port
    self.registry = registry
  }

  /// Binds, reports the bound port through `onBound`, and serves until graceful shutdown.
  public func run(logger: Logger, onBound: @Sendable (Int) -> Void) async throws {
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: self.host, port: self.port) { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline()
          return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
        }
      }
    onBound(server.channel.localAddress?.port ?? self.port)
    try await withGracefulShutdownHandler {
      try await withThrowingDiscardingTaskGroup { group in
        try await server.executeThenClose { connections in
          for try await connection in connections {
            group.addTask {
              do {
                try await self.serve(connection)
              } catch {
                logger.debug("metrics connection ended", metadata: ["error": "\(error)"])
              }
            }
          }
        }
      }
    } onGracefulShutdown: {
      server.channel.close(promise: nil)
    }
  }

  private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async throws {
    try await connection.executeThenClose { inbound, outbound in
      var head: HTTPRequestHead?
      for try await part in inbound {
        switch part {
        case .head(let requestHead):
          head = requestHead
        case .body:
          ()
        case .end:
          guard let request = head else { continue }
          let (status, body): (HTTPResponseStatus, [UInt8])
          if request.method == .GET, request.uri == "/metrics" || request.uri.hasPrefix("/metrics?") {
            var bytes: [UInt8] = []
            self.registry.emit(into: &bytes)
            (status, body) = (.ok, bytes)
          } else {
            (status, body) = (.notFound, Array("not found: metrics are at GET /metrics\n".utf8))
          }
          var headers = HTTPHeaders()
          headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
          headers.add(name: "Content-Length", value: "\(body.count)")
          try await outbound.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
          try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
          try await outbound.write(.end(nil))
          if !request.isKeepAlive { return }
        }
      }
    }
  }
}
