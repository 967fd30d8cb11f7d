public import CivicWireCore
public import GRPCCore
public import Logging
public import NIOCore
public import NIOPosix
public import NIOSSL
public import X509
import SwiftASN1
import Synchronization

/// A gRPC-Swift `ServerTransport` speaking CivicWire over TCP.
///
/// Every accepted connection runs as one child task of `listen`; each call on it runs
/// as a child task of its connection, so a failing connection or call never reaches
/// the listener.
public final class CivicWireServerTransport: ServerTransport, Sendable {
  public typealias Bytes = WireBytes

  /// Hooks for metrics: connection and stream counts as they change.
  public typealias Observer = CivicWireServerObserver

  /// What a call's `ServerContext.transportSpecific` holds on this transport.
  public struct Context: ServerContext.TransportSpecific {
    /// The client's certificate, when the connection is TLS and the client sent one (the
    /// server asks for one only when configured with client CAs, and then requires it).
    public var peerCertificate: Certificate?

    public init(peerCertificate: Certificate? = nil) {
      self.peerCertificate = peerCertificate
    }
  }

  private struct Connection: Sendable {
    let channel: any Channel
    let streams: AsyncStream<ServerStream>
    /// Runs the connection's task and its calls on the channel's event loop; nil: Swift's
    /// global executor (`CivicWireServerConfig.callsOnEventLoop`).
    let executor: EventLoopTaskExecutor?
  }

  private struct State {
    var serverChannel: (any Channel)?
    var connections: [ObjectIdentifier: any Channel] = [:]
    var shuttingDown = false
  }

  private let host: String
  private let port: Int
  private let config: CivicWireServerConfig
  private let tls: NIOSSLContext?
  private let admission: InFlightLimit?
  private let group: any EventLoopGroup
  private let observer: Observer
  private let logger: Logger
  private let state = Mutex(State())
  /// The server's methods, from `configure(context:)`: their call shapes decide when a
  /// stream's leading metadata goes out.
  private let methods = Mutex<[String: MethodDescriptor]>([:])
  private let address: EventLoopPromise<SocketAddress>

  /// - Parameters:
  ///   - host: Address to bind, for example "127.0.0.1".
  ///   - port: Port to bind; 0 picks a free one (read it from ``listeningAddress``).
  ///   - tls: When set, every connection is TLS first and CivicWire inside it; make it with
  ///     ALPN ``CivicWireTLS/alpn`` (docs/PROTOCOL.md, section 1.1).
  ///   - admission: The instance's count of calls in flight; a stream beyond its limit is
  ///     refused on the event loop when its HEADERS arrive, before any task exists.
  public init(
    host: String,
    port: Int,
    config: CivicWireServerConfig = .defaults,
    tls: NIOSSLContext? = nil,
    admission: InFlightLimit? = nil,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    observer: Observer = .none,
    logger: Logger = Logger(label: "civicwire", factory: { _ in SwiftLogNoOpLogHandler() })
  ) {
    self.logger = logger
    self.host = host
    self.port = port
    self.config = config
    self.tls = tls
    self.admission = admission
    self.group = eventLoopGroup
    self.observer = observer
    self.address = eventLoopGroup.any().makePromise(of: SocketAddress.self)
  }

  /// The bound address, once `listen` has bound.
  public var listeningAddress: SocketAddress {
    get async throws { try await self.address.futureResult.get() }
  }

  public func configure(context: GRPCServerContext) {
    let methods = Dictionary(context.methods.map { ($0.fullyQualifiedMethod, $0) }, uniquingKeysWith: { first, _ in first })
    self.methods.withLock { $0 = methods }
  }

  public func listen(
    streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void
  ) async throws {
    let config = self.config
    let methods = self.methods.withLock { $0 }
    let observer = self.observer
    let logger = self.logger
    let tls = self.tls
    let admission = self.admission
    let serverChannel: NIOAsyncChannel<Connection, Never>
    do {
      serverChannel = try await ServerBootstrap(group: self.group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .serverChannelOption(.backlog, value: 1024)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .bind(host: self.host, port: self.port) { channel in
          channel.eventLoop.makeCompletedFuture {
            if let tls {
              try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
              try channel.pipeline.syncOperations.addHandler(TLSHandshakeFailureLogger(logger: logger))
            }
            let (streams, continuation) = AsyncStream<ServerStream>.makeStream()
            let handler = ServerConnectionHandler(
              config: config,
              observer: observer,
              logger: logger,
              methods: methods,
              admission: admission,
              onStream: { continuation.yield($0) },
              onClose: { continuation.finish() }
            )
            try channel.pipeline.syncOperations.addHandler(handler)
            let executor = config.callsOnEventLoop ? EventLoopTaskExecutor(channel.eventLoop) : nil
            return Connection(channel: channel, streams: streams, executor: executor)
          }
        }
    } catch {
      self.address.fail(error)
      throw RuntimeError(code: .serverIsStopped, message: "CivicWire could not bind \(self.host):\(self.port): \(error)", cause: error)
    }
    if let address = serverChannel.channel.localAddress {
      self.address.succeed(address)
    }
    let closeNow = self.state.withLock { state in
      state.serverChannel = serverChannel.channel
      return state.shuttingDown
    }
    if closeNow { serverChannel.channel.close(promise: nil) }

    try await withThrowingDiscardingTaskGroup { group in
      try await serverChannel.executeThenClose { inbound in
        for try await connection in inbound {
          let id = ObjectIdentifier(connection.channel)
          let drainNow = self.state.withLock { state in
            state.connections[id] = connection.channel
            return state.shuttingDown
          }
          if drainNow { connection.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
          // Its calls, child tasks of this one, inherit the executor preference.
          group.addTask(executorPreference: connection.executor) {
            await Self.serve(connection, streamHandler: streamHandler)
            _ = self.state.withLock { $0.connections.removeValue(forKey: id) }
          }
        }
      }
    }
  }

  private static func serve(
    _ connection: Connection,
    streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void
  ) async {
    await withTaskCancellationHandler {
      await withDiscardingTaskGroup { group in
        // Streams arrive only after the TLS handshake, so the certificate is known by then.
        var transportContext: Context?
        for await stream in connection.streams {
          if transportContext == nil {
            transportContext = Context(peerCertificate: await Self.peerCertificate(of: connection.channel))
          }
          let transportSpecific = transportContext
          group.addTask {
            await withServerContextRPCCancellationHandle { handle in
              stream.attach(handle)
              var context = ServerContext(
                descriptor: stream.descriptor,
                remotePeer: stream.remotePeer,
                localPeer: stream.localPeer,
                cancellation: handle
              )
              context.transportSpecific = transportSpecific
              let rpcStream = RPCStream(
                descriptor: stream.descriptor,
                inbound: RPCAsyncSequence(wrapping: stream.inbound),
                outbound: stream.writer
              )
              await streamHandler(rpcStream, context)
            }
          }
        }
      }
    } onCancel: {
      connection.channel.close(promise: nil)
    }
  }

  /// The TLS client's certificate, or nil on a plaintext connection or without one.
  private static func peerCertificate(of channel: any Channel) async -> Certificate? {
    guard let certificate = try? await channel.nioSSL_peerCertificate().get(),
      let der = try? certificate.toDERBytes()
    else { return nil }
    return try? Certificate(derEncoded: der)
  }

  /// Stops accepting connections and drains every open one with a two-phase GOAWAY.
  public func beginGracefulShutdown() {
    let (server, connections): ((any Channel)?, [any Channel]) = self.state.withLock { state in
      state.shuttingDown = true
      return (state.serverChannel, Array(state.connections.values))
    }
    server?.close(promise: nil)
    for channel in connections {
      channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
  }
}
