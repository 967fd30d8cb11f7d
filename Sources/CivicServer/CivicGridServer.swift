import CivicProtos
public import CivicServices
internal import CivicWire
public import GRPCCore
internal import GRPCNIOTransportHTTP2
public import Logging
import Metrics
internal import NIOCore
internal import NIOSSL
public import Prometheus
public import ServiceLifecycle
import Synchronization
public import Tracing

/// The CivicGrid server: the same services over CivicWire and over gRPC/HTTP/2, the
/// health and reflection services and the metrics endpoint, as one ServiceLifecycle `Service`.
///
/// Graceful shutdown stops accepting connections, drains in-flight calls on both
/// listeners (CivicWire with a two-phase GOAWAY), then returns.
public final class CivicGridServer: Service, Sendable {
  /// The ports actually bound (useful when the configuration asked for port 0).
  public struct BoundPorts: Sendable, Equatable, Codable {
    public var wire: Int
    public var grpc: Int
    public var metrics: Int
  }

  public let health = HealthService()
  private let configuration: ServerConfiguration
  private let registry: PrometheusCollectorRegistry
  private let logger: Logger
  private let ports = Mutex<(wire: Int?, grpc: Int?, metrics: Int?)>((nil, nil, nil))
  private let boundWaiters = Mutex<[CheckedContinuation<BoundPorts, any Error>]>([])
  private let extraServices: [any RegistrableRPCService]
  private let extraInterceptors: [any ServerInterceptor]
  /// Where call spans go (`ServerTracingInterceptor`); nil: no tracing interceptor at all.
  private let tracer: (any Tracer)?
  /// Called to start a graceful shutdown once `run` has started the listeners.
  private let shutdownTrigger = Mutex<(@Sendable () -> Void)?>(nil)
  private let shutdownRequested = Mutex(false)
  /// The listeners' TLS once `run` loaded it; a reload replaces its certificate.
  let tlsInUse = Mutex<ServerTLS?>(nil)

  /// - Parameters:
  ///   - registry: Where metrics are collected for the endpoint; pass the registry the
  ///     process bootstrapped `MetricsSystem` with.
  ///   - logger: The server's logger; every call's lines carry its request id, method and
  ///     account (`CallLoggingInterceptor`).
  ///   - services: Services served besides Diagnostics, Health and reflection.
  ///   - interceptors: Run on every call on both listeners, after the metrics interceptor
  ///     (so refused calls are counted too), in order. The call logger and the personal-data
  ///     masking step (`PersonalDataInterceptor`) always run after them, where the caller is known, and the
  ///     RPC cancellation bridge (`RPCCancellationInterceptor`) innermost, around the handler.
  ///   - tracer: When given, every call on both listeners gets a server span, first of all
  ///     interceptors (`ServerTracingInterceptor`); pass the store's tracer too, so its spans
  ///     join the call's. Passed, not read from `InstrumentationSystem`, so tests stay apart.
  public init(
    configuration: ServerConfiguration,
    registry: PrometheusCollectorRegistry,
    logger: Logger,
    services: [any RegistrableRPCService] = [],
    interceptors: [any ServerInterceptor] = [],
    tracer: (any Tracer)? = nil
  ) {
    self.configuration = configuration
    self.registry = registry
    self.logger = logger
    self.extraServices = services
    self.extraInterceptors = interceptors
    self.tracer = tracer
  }

  /// The server span, first, when tracing is on.
  private func outermostInterceptors(transport: String) -> [any ServerInterceptor] {
    guard let tracer = self.tracer else { return [] }
    return [ServerTracingInterceptor(tracer: tracer, transport: transport)]
  }

  /// The call's logger, where the caller is known (`CallLog`); personal-data masking; then,
  /// around the handler itself, the bridge that cancels the handler's work (its running
  /// statement) with the RPC.
  private func innermostInterceptors(transport: String) -> [any ServerInterceptor] {
    let caller: [any ServerInterceptor] = self.tracer == nil ? [] : [CallSpanCallerInterceptor()]
    return [CallLoggingInterceptor(logger: self.logger, transport: transport)] + caller
      + [PersonalDataInterceptor(), RPCCancellationInterceptor()]
  }

  /// Waits until every listener is bound and returns the ports.
  public var boundPorts: BoundPorts {
    get async throws {
      try await withCheckedThrowingContinuation { continuation in
        let ready: BoundPorts? = self.ports.withLock { ports in
          guard let wire = ports.wire, let grpc = ports.grpc, let metrics = ports.metrics else { return nil }
          return BoundPorts(wire: wire, grpc: grpc, metrics: metrics)
        }
        if let ready {
          continuation.resume(returning: ready)
        } else {
          self.boundWaiters.withLock { $0.append(continuation) }
          self.notifyIfBound()
        }
      }
    }
  }

  private func record(_ update: (inout (wire: Int?, grpc: Int?, metrics: Int?)) -> Void) {
    self.ports.withLock { update(&$0) }
    self.notifyIfBound()
  }

  private func notifyIfBound() {
    guard
      let bound: BoundPorts = self.ports.withLock({ ports in
        guard let wire = ports.wire, let grpc = ports.grpc, let metrics = ports.metrics else { return nil }
        return BoundPorts(wire: wire, grpc: grpc, metrics: metrics)
      })
    else { return }
    let waiters = self.boundWaiters.withLock { waiters in
      defer { waiters.removeAll() }
      return waiters
    }
    for waiter in waiters { waiter.resume(returning: bound) }
  }

  private func failWaiters(_ error: any Error) {
    let waiters = self.boundWaiters.withLock { waiters in
      defer { waiters.removeAll() }
      return waiters
    }
    for waiter in waiters { waiter.resume(throwing: error) }
  }

  /// Server reflection (v1 and v1alpha) listing the given services and itself.
  private static func reflectionServices(describing services: [any RegistrableRPCService]) throws -> [any RegistrableRPCService] {
    var router = RPCRouter<CivicWireServerTransport>()
    for service in services { service.registerMethods(with: &router) }
    let names = router.methods.map(\.service.fullyQualifiedService) + ReflectionService.names
    let reflection = try ReflectionService(serviceNames: names)
    return [reflection, ReflectionServiceV1Alpha(reflection)]
  }

  /// Stops accepting connections and drains in-flight calls; `run` returns when done.
  /// SIGTERM and SIGINT do this through the ServiceGroup.
  public func beginGracefulShutdown() {
    self.shutdownRequested.withLock { $0 = true }
    self.shutdownTrigger.withLock { $0 }?()
  }

  public func run() async throws {
    let config = self.configuration
    let tls: ServerTLS?
    do {
      tls = try config.tls.map { files throws(ConfigurationError) in try ServerTLS.load(files) }
      self.tlsInUse.withLock { $0 = tls }
    } catch {
      self.failWaiters(error)
      throw error
    }
    let served: [any RegistrableRPCService] = [DiagnosticsService(), self.health] + self.extraServices
    let services = served + (try Self.reflectionServices(describing: served))

    let connections = Meter(label: "civicgrid_wire_connections_open")
    let streams = Meter(label: "civicgrid_wire_streams_open")
    let refusalMetrics = CallMetricsCache()
    let observer = CivicWireServerTransport.Observer(
      connectionOpened: { connections.increment() },
      connectionClosed: { connections.decrement() },
      streamOpened: { streams.increment() },
      streamClosed: { streams.decrement() },
      callRefused: { method in
        // Refused before any interceptor: counted here as the metrics interceptor would.
        AdmissionRefusal.count(.inFlight)
        if let method { refusalMetrics.metrics(transport: "civicwire", method: method, code: "RESOURCE_EXHAUSTED").0.increment() }
      }
    )
    // One count of calls in flight for both listeners (max_calls_in_flight): the CivicWire
    // transport refuses on its event loop, the HTTP/2 listener in an interceptor.
    let inFlight = InFlightLimit(InFlightPolicy(limit: config.maxCallsInFlight))
    let wireTransport = CivicWireServerTransport(
      host: config.wireListen.host,
      port: config.wireListen.port,
      config: config.wireConfig,
      tls: tls?.wire,
      admission: inFlight,
      observer: observer,
      logger: self.logger
    )
    var http2Config = HTTP2ServerTransport.Posix.Config.defaults
    http2Config.rpc.maxRequestPayloadSize = config.maxMessageSize
    http2Config.http2.maxConcurrentStreams = config.maxConcurrentStreams
    http2Config.connection.maxIdleTime = .seconds(config.idleTimeoutSeconds)
    http2Config.connection.maxGraceTime = .seconds(config.gracePeriodSeconds)
    // swift-nio-http2 1.46.0 asserts (and reorders frames in release builds) when a
    // connection turns writable between a control frame and its flush: docs/INTEROP.md.
    //
    // Both callbacks run after the transport has wrapped the channel in a NIOAsyncChannel, so
    // they must never fail: a failed future drops that wrapper unfinished, which NIO asserts on
    // in debug builds. Adding a handler fails only on a channel already closed (a client that
    // reset its stream at once), which needs no handler.
    let http2Gauges = HTTP2ConnectionGauges()
    let handshakeLogger = self.logger
    http2Config.channelDebuggingCallbacks.onAcceptTCPConnection = { channel in
      http2Gauges.connectionAccepted(channel)
      try? HTTP2FlushPointBeforeWritable.install(in: channel.pipeline.syncOperations)
      if let ssl = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self) {
        try? channel.pipeline.syncOperations.addHandler(TLSHandshakeFailureLogger(logger: handshakeLogger), position: .after(ssl))
      }
      return channel.eventLoop.makeSucceededVoidFuture()
    }
    // A write to a stream that is not writable is flushed at once, or a unary response can
    // wait forever for its trailers (see FlushWhileStreamUnwritable). An oversize request gets
    // RESOURCE_EXHAUSTED in trailers, not the transport's RST_STREAM (see
    // RequestSizeLimitHandler). Both sit in front of the transport's stream handler.
    let maxMessageSize = config.maxMessageSize
    http2Config.channelDebuggingCallbacks.onAcceptHTTP2Stream = { stream in
      http2Gauges.streamAccepted(stream)
      try? stream.pipeline.syncOperations.addHandler(FlushWhileStreamUnwritable(), position: .first)
      try? stream.pipeline.syncOperations.addHandler(RequestSizeLimitHandler(limit: maxMessageSize), position: .first)
      return stream.eventLoop.makeSucceededVoidFuture()
    }
    let http2Transport = DrainingServerTransport(
      HTTP2ServerTransport.Posix(
        address: .ipv4(host: config.grpcListen.host, port: config.grpcListen.port),
        transportSecurity: tls?.http2 ?? .plaintext,
        config: http2Config
      )
    )
    let wireServer = GRPCServer(
      transport: wireTransport,
      services: services,
      interceptors: self.outermostInterceptors(transport: "civicwire")
        + [CallMetricsInterceptor(transport: "civicwire")]
        + [DeadlineInterceptor(), ClientCertificateInterceptor()]
        + self.extraInterceptors + self.innermostInterceptors(transport: "civicwire")
    )
    let http2Server = GRPCServer(
      transport: http2Transport,
      services: services,
      interceptors: self.outermostInterceptors(transport: "http2")
        + [CallMetricsInterceptor(transport: "http2"), InFlightLimitInterceptor(limit: inFlight)]
        + [DeadlineInterceptor(), ClientCertificateInterceptor()]
        + self.extraInterceptors + self.innermostInterceptors(transport: "http2")
    )
    let metrics = MetricsEndpoint(host: config.metricsListen.host, port: config.metricsListen.port, registry: self.registry)
    let logger = self.logger
    let health = self.health
    let shutdown: @Sendable () -> Void = {
      logger.info("draining in-flight calls")
      health.setStatus(.notServing)
      wireServer.beginGracefulShutdown()
      http2Server.beginGracefulShutdown()
    }
    self.shutdownTrigger.withLock { $0 = shutdown }
    if self.shutdownRequested.withLock({ $0 }) { shutdown() }

    do {
      try await withGracefulShutdownHandler {
        try await withThrowingDiscardingTaskGroup { group in
          group.addTask { try await wireServer.serve() }
          group.addTask { try await http2Server.serve() }
          group.addTask {
            try await metrics.run(logger: logger) { port in self.record { $0.metrics = port } }
          }
          group.addTask {
            let wirePort = try await wireTransport.listeningAddress.port ?? config.wireListen.port
            self.record { $0.wire = wirePort }
            let grpcAddress = try await http2Transport.inner.listeningAddress
            self.record { $0.grpc = grpcAddress.ipv4?.port ?? grpcAddress.ipv6?.port ?? config.grpcListen.port }
            self.health.setStatus(.serving)
            self.health.setStatus(.serving, forService: "civicgrid.v1.Diagnostics")
          }
        }
      } onGracefulShutdown: {
        self.beginGracefulShutdown()
      }
    } catch {
      self.failWaiters(error)
      throw error
    }
    self.failWaiters(CancellationError())
  }
}
