public import CivicWireCore
public import GRPCCore
public import NIOCore
public import NIOPosix
public import NIOSSL
import Synchronization

/// A gRPC-Swift `ClientTransport` speaking CivicWire to one server over TCP.
///
/// Calls share one connection (up to the server's concurrent-stream limit; further
/// calls wait for a slot). The connection is made on the first call; when it fails,
/// calls fail fast with UNAVAILABLE until the backoff delay has passed, then the next
/// call tries again. After a GOAWAY new calls go to a new connection.
public final class CivicWireClientTransport: ClientTransport, Sendable {
  public typealias Bytes = WireBytes

  /// Client settings.
  public struct Config: Sendable {
    /// Limits announced to the server.
    public var settings: WireSettings
    /// Time allowed for TCP connect plus the CivicWire handshake.
    public var connectTimeout: TimeAmount
    public var backoff: Backoff
    /// PING after this much silence from the server; nil turns keepalive off.
    public var keepalive: Keepalive?
    /// TLS around CivicWire; nil speaks plaintext.
    public var tls: TLS?

    /// Protocol default settings, 10 s connect timeout, default backoff, no keepalive, plaintext.
    public static var defaults: Config {
      Config(settings: .defaults, connectTimeout: .seconds(10), backoff: .defaults, keepalive: nil)
    }

    public init(settings: WireSettings, connectTimeout: TimeAmount, backoff: Backoff, keepalive: Keepalive?, tls: TLS? = nil) {
      self.settings = settings
      self.connectTimeout = connectTimeout
      self.backoff = backoff
      self.keepalive = keepalive
      self.tls = tls
    }
  }

  /// How the client speaks TLS: the context (trust roots, client certificate, ALPN
  /// ``CivicWireTLS/alpn``; see ``CivicWireTLS/clientConfiguration(caFile:certificateFile:keyFile:alpn:)``)
  /// and the name the server's certificate must carry, also sent as SNI.
  public struct TLS: Sendable {
    public var context: NIOSSLContext
    /// nil: the host the transport was given when it is a name; for an address literal the
    /// certificate is checked against that address.
    public var serverHostname: String?

    public init(context: NIOSSLContext, serverHostname: String? = nil) {
      self.context = context
      self.serverHostname = serverHostname
    }
  }

  /// Client keepalive: detects a dead server or path on an otherwise quiet connection.
  public typealias Keepalive = CivicWireKeepalive

  private enum ConnectionState {
    case idle(failures: Int)
    case connecting([CheckedContinuation<ClientConnection, any Error>])
    case ready(ClientConnection)
    case backingOff(until: NIODeadline, failures: Int, reason: String)
  }

  private struct State {
    var connection = ConnectionState.idle(failures: 0)
    var failures = 0
    var shutDown = false
    var shutdownWaiter: CheckedContinuation<Void, Never>?
    var activeCalls = 0
    var retired: [ClientConnection] = []
  }

  private let address: SocketAddress
  private let group: any EventLoopGroup
  private let config: Config
  private let state = Mutex(State())

  public let retryThrottle: RetryThrottle? = nil

  public init(
    address: SocketAddress,
    config: Config = .defaults,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
  ) {
    self.address = address
    self.config = config
    self.group = eventLoopGroup
  }

  /// Resolves `host` now (for example "127.0.0.1", "::1" or "localhost"); with TLS and no
  /// server name, a host name is also the name the server's certificate must carry.
  public convenience init(
    host: String,
    port: Int,
    config: Config = .defaults,
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
  ) throws {
    var config = config
    if config.tls != nil, config.tls?.serverHostname == nil, (try? SocketAddress(ipAddress: host, port: 0)) == nil {
      config.tls?.serverHostname = host
    }
    try self.init(address: SocketAddress.makeAddressResolvingHost(host, port: port), config: config, eventLoopGroup: eventLoopGroup)
  }

  public func config(forMethod descriptor: MethodDescriptor) -> MethodConfig? { nil }

  /// Runs until `beginGracefulShutdown` (then returns once calls finish) or cancellation.
  public func connect() async throws {
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let resumeNow = self.state.withLock { state in
          if state.shutDown { return true }
          state.shutdownWaiter = continuation
          return false
        }
        if resumeNow { continuation.resume() }
      }
    } onCancel: {
      self.shutDown(force: true)
    }
  }

  public func beginGracefulShutdown() {
    self.shutDown(force: false)
  }

  private func shutDown(force: Bool) {
    let (waiter, connections): (CheckedContinuation<Void, Never>?, [ClientConnection]) = self.state.withLock { state in
      state.shutDown = true
      var connections = state.retired
      if case .ready(let connection) = state.connection { connections.append(connection) }
      state.retired.removeAll()
      state.connection = .idle(failures: 0)
      defer { state.shutdownWaiter = nil }
      return (state.shutdownWaiter, connections)
    }
    for connection in connections {
      if force { connection.channel.close(promise: nil) } else { connection.closeGracefully() }
    }
    waiter?.resume()
  }

  public func withStream<T: Sendable>(
    descriptor: MethodDescriptor,
    options: CallOptions,
    _ closure: (RPCStream<Inbound, Outbound>, ClientContext) async throws -> T
  ) async throws -> T {
    let connection = try await self.connectionForNewCall()
    let stream = try await connection.openStream(descriptor: descriptor)
    defer { connection.releaseSlot() }
    return try await withTaskCancellationHandler {
      let rpcStream = RPCStream(
        descriptor: descriptor,
        inbound: RPCAsyncSequence(wrapping: stream.inbound),
        outbound: stream.writer
      )
      let context = ClientContext(
        descriptor: descriptor,
        remotePeer: PeerDescription.describe(connection.channel.remoteAddress),
        localPeer: PeerDescription.describe(connection.channel.localAddress)
      )
      do {
        let result = try await closure(rpcStream, context)
        stream.cancel()  // no-op when the server already ended the stream
        return result
      } catch {
        stream.cancel()
        throw error
      }
    } onCancel: {
      stream.cancel()
    }
  }

  /// Sends a PING on the current connection and waits for the ACK.
  public func ping() async throws {
    try await self.connectionForNewCall().ping()
  }

  // MARK: Connection management

  private func connectionForNewCall() async throws -> ClientConnection {
    enum Next {
      case use(ClientConnection)
      case connect
      case wait
      case fail(RPCError)
    }
    let next: Next = self.state.withLock { state in
      if state.shutDown { return .fail(RPCError(code: .failedPrecondition, message: "the client transport is shut down")) }
      switch state.connection {
      case .ready(let connection) where connection.isUsable:
        return .use(connection)
      case .ready(let connection):
        state.retired.append(connection)
        state.connection = .connecting([])
        return .connect
      case .connecting:
        return .wait
      case .backingOff(let until, let failures, let reason):
        if NIODeadline.now() < until {
          let millis = (until - .now()).nanoseconds / 1_000_000
          return .fail(RPCError(code: .unavailable, message: "cannot reach \(self.address): \(reason); next attempt in \(millis) ms"))
        }
        state.failures = failures
        state.connection = .connecting([])
        return .connect
      case .idle(let failures):
        state.failures = failures
        state.connection = .connecting([])
        return .connect
      }
    }
    switch next {
    case .use(let connection):
      return connection
    case .fail(let error):
      throw error
    case .wait:
      return try await withCheckedThrowingContinuation { continuation in
        let result: Result<ClientConnection, any Error>? = self.state.withLock { state in
          switch state.connection {
          case .connecting(var waiters):
            waiters.append(continuation)
            state.connection = .connecting(waiters)
            return nil
          case .ready(let connection):
            return .success(connection)
          default:
            return .failure(RPCError(code: .unavailable, message: "cannot reach \(self.address)"))
          }
        }
        if let result { continuation.resume(with: result) }
      }
    case .connect:
      return try await self.establish()
    }
  }

  private func establish() async throws -> ClientConnection {
    do {
      let (address, group, timeout, tls) = (self.address, self.group, self.config.connectTimeout, self.config.tls)
      let connection = try await ClientConnection.connect(
        settings: self.config.settings,
        keepalive: self.config.keepalive,
        timeout: timeout,
        onUnusable: { [weak self] connection in self?.connectionBecameUnusable(connection) },
        connector: { initializer in
          try await ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(to: address) { channel in
              guard let tls else { return initializer(channel) }
              return channel.eventLoop.makeCompletedFuture {
                let handler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
                try channel.pipeline.syncOperations.addHandler(handler)
              }.flatMap { initializer(channel) }
            }
        }
      )
      let waiters: [CheckedContinuation<ClientConnection, any Error>] = self.state.withLock { state in
        guard case .connecting(let waiters) = state.connection else { return [] }
        state.failures = 0
        state.connection = state.shutDown ? .idle(failures: 0) : .ready(connection)
        return waiters
      }
      for waiter in waiters { waiter.resume(returning: connection) }
      if !connection.isUsable { self.connectionBecameUnusable(connection) }
      return connection
    } catch {
      let reason = (error as? RPCError)?.message ?? "\(error)"
      let failure = RPCError(code: .unavailable, message: "cannot reach \(self.address): \(reason)", cause: error)
      let waiters: [CheckedContinuation<ClientConnection, any Error>] = self.state.withLock { state in
        guard case .connecting(let waiters) = state.connection else { return [] }
        state.failures += 1
        let delay = self.config.backoff.delay(afterFailures: state.failures)
        state.connection = .backingOff(until: .now() + delay, failures: state.failures, reason: reason)
        return waiters
      }
      for waiter in waiters { waiter.resume(throwing: failure) }
      throw failure
    }
  }

  private func connectionBecameUnusable(_ connection: ClientConnection) {
    self.state.withLock { state in
      if case .ready(let current) = state.connection, current === connection {
        state.connection = .idle(failures: 0)
      }
      state.retired.removeAll { $0 === connection }
    }
    // It finishes its open calls, then closes.
    connection.closeGracefully()
  }
}
