package import GRPCCore
package import NIOCore
import Synchronization

/// One established CivicWire connection of the client: stream ids, the server's
/// concurrent-stream limit (callers wait for a free slot), and whether it still takes
/// new calls.
package final class ClientConnection: Sendable {
  package let channel: any Channel
  let serverSettings: WireSettings
  let localSettings: WireSettings
  private let outbox: Outbox<ClientOutboxEntry>
  private let handler: NIOLoopBound<ClientConnectionHandler>

  private struct State {
    var nextStreamID: UInt32 = 1
    var freeSlots: Int
    /// Calls waiting for a stream slot, oldest first, by waiter id.
    var slotWaiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    var nextWaiterID: UInt64 = 0
    var usable = true
  }

  private let state: Mutex<State>

  private init(
    channel: any Channel,
    handler: NIOLoopBound<ClientConnectionHandler>,
    outbox: Outbox<ClientOutboxEntry>,
    localSettings: WireSettings,
    serverSettings: WireSettings
  ) {
    self.channel = channel
    self.handler = handler
    self.outbox = outbox
    self.localSettings = localSettings
    self.serverSettings = serverSettings
    self.state = Mutex(State(freeSlots: serverSettings.maxConcurrentStreams))
  }

  /// What sets up a new channel: installs the connection handler and returns the channel
  /// and the future of the server's SETTINGS.
  package typealias ChannelInitializer = @Sendable (any Channel) -> EventLoopFuture<(any Channel, EventLoopFuture<WireSettings>)>

  /// Connects through `connector` (the binding layer's bootstrap, which runs the
  /// initializer it is given on the new channel), exchanges prefaces and SETTINGS, and
  /// returns once the server's SETTINGS arrived. `onUnusable` runs (on the event loop)
  /// when the connection stops taking new calls: GOAWAY or close.
  package static func connect(
    settings: WireSettings,
    keepalive: CivicWireKeepalive?,
    timeout: TimeAmount,
    onUnusable: @escaping @Sendable (ClientConnection) -> Void,
    connector: (_ initializer: @escaping ChannelInitializer) async throws -> (any Channel, EventLoopFuture<WireSettings>)
  ) async throws -> ClientConnection {
    let box = ConnectionBox()
    let (channel, ready) = try await connector { channel in
      channel.eventLoop.makeCompletedFuture {
        let ready = channel.eventLoop.makePromise(of: WireSettings.self)
        let handler = ClientConnectionHandler(localSettings: settings, keepalive: keepalive) { event in
          switch event {
          case .ready(let serverSettings):
            ready.succeed(serverSettings)
          case .goAway:
            box.connection?.becameUnusable(onUnusable)
          case .closed(let cause):
            let message = cause.map { "the connection failed during the handshake: \($0)" } 
              ?? "the server closed the connection during the handshake (a TLS listener does so to a plaintext client)"
            ready.fail(RPCError(code: .unavailable, message: message))
            box.connection?.closed(onUnusable)
          case .streamCountChanged:
            ()
          }
        }
        try channel.pipeline.syncOperations.addHandler(handler)
        box.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        channel.eventLoop.scheduleTask(in: timeout) {
          ready.fail(RPCError(code: .unavailable, message: "no SETTINGS from the server within \(timeout)"))
        }
        return (channel, ready.futureResult)
      }
    }
    let serverSettings: WireSettings
    do {
      serverSettings = try await ready.get()
    } catch {
      channel.close(promise: nil)
      throw error
    }
    let handler = try await channel.eventLoop.submit { box.handler! }.get()
    // The handler lets go of its outbox when removed: a connection closed right after the
    // server's SETTINGS has none by now.
    guard let outbox = try await channel.eventLoop.submit({ handler.value.outbox }).get() else {
      channel.close(promise: nil)
      throw RPCError(code: .unavailable, message: "the server closed the connection right after the handshake")
    }
    let connection = ClientConnection(
      channel: channel,
      handler: handler,
      outbox: outbox,
      localSettings: settings,
      serverSettings: serverSettings
    )
    box.connection = connection
    if !channel.isActive { connection.closed(onUnusable) }
    return connection
  }

  package var isUsable: Bool { self.state.withLock { $0.usable } }

  /// Waits for a free stream slot, then creates a stream; its id is assigned when it
  /// sends its HEADERS.
  package func openStream(descriptor: MethodDescriptor) async throws -> ClientStream {
    try await self.acquireSlot()
    return ClientStream(
      descriptor: descriptor,
      localSettings: self.localSettings,
      serverSettings: self.serverSettings,
      outbox: self.outbox
    ) { [weak self] stream, payload in
      guard let self else { throw RPCError(code: .unavailable, message: "the connection is gone") }
      try self.sendHeaders(of: stream, payload: payload)
    }
  }

  /// Assigns the next stream id and enqueues the HEADERS under one lock, so ids reach the
  /// wire in increasing order.
  private func sendHeaders(of stream: ClientStream, payload: ByteBuffer) throws {
    try self.state.withLock { state in
      guard state.usable, state.nextStreamID < UInt32(Int32.max) else {
        throw RPCError(code: .unavailable, message: "the connection is going away; retry the call")
      }
      let id = state.nextStreamID
      state.nextStreamID += 2
      stream.assign(id: id)
      var frame = ByteBuffer()
      FrameEncoder.write(.headers, streamID: id, payload: payload, into: &frame)
      self.outbox.enqueue(.open(stream, headers: frame))
    }
  }

  private func acquireSlot() async throws {
    let acquired: Bool = try self.state.withLock { state in
      guard state.usable else { throw RPCError(code: .unavailable, message: "the connection is going away") }
      guard state.freeSlots > 0 else { return false }
      state.freeSlots -= 1
      return true
    }
    if acquired { return }
    enum Outcome { case acquired, parked, failed(any Error) }
    let waiterID = self.state.withLock { state in
      defer { state.nextWaiterID += 1 }
      return state.nextWaiterID
    }
    // A call whose deadline passes (or whose task is cancelled) while it waits for a slot
    // must leave the queue at once rather than when a slot frees up.
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        let outcome: Outcome = self.state.withLock { state in
          guard state.usable else { return .failed(RPCError(code: .unavailable, message: "the connection is going away")) }
          if Task.isCancelled { return .failed(CancellationError()) }
          if state.freeSlots > 0 {
            state.freeSlots -= 1
            return .acquired
          }
          state.slotWaiters.append((waiterID, continuation))
          return .parked
        }
        switch outcome {
        case .acquired: continuation.resume()
        case .parked: ()  // `releaseSlot`, `markUnusable` or cancellation resumes it.
        case .failed(let error): continuation.resume(throwing: error)
        }
      }
    } onCancel: {
      let waiter = self.state.withLock { state -> CheckedContinuation<Void, any Error>? in
        guard let index = state.slotWaiters.firstIndex(where: { $0.id == waiterID }) else { return nil }
        return state.slotWaiters.remove(at: index).continuation
      }
      waiter?.resume(throwing: CancellationError())
    }
  }

  package func releaseSlot() {
    let waiter: CheckedContinuation<Void, any Error>? = self.state.withLock { state in
      if !state.slotWaiters.isEmpty { return state.slotWaiters.removeFirst().continuation }
      state.freeSlots += 1
      return nil
    }
    waiter?.resume()
  }

  /// Sends a PING and waits for its ACK.
  package func ping() async throws {
    let promise = self.channel.eventLoop.makePromise(of: Void.self)
    self.outbox.enqueue(.ping(opaque: UInt64.random(in: 1...UInt64.max), promise: promise))
    try await promise.futureResult.get()
  }

  /// No new calls; close once the open ones finish.
  package func closeGracefully() {
    self.markUnusable()
    let handler = self.handler
    self.channel.eventLoop.execute { handler.value.closeWhenIdle() }
  }

  private func markUnusable() {
    let waiters = self.state.withLock { state in
      state.usable = false
      defer { state.slotWaiters.removeAll() }
      return state.slotWaiters.map(\.continuation)
    }
    for waiter in waiters {
      waiter.resume(throwing: RPCError(code: .unavailable, message: "the connection is going away; retry the call"))
    }
  }

  fileprivate func becameUnusable(_ notify: @Sendable (ClientConnection) -> Void) {
    self.markUnusable()
    notify(self)
  }

  fileprivate func closed(_ notify: @Sendable (ClientConnection) -> Void) {
    self.markUnusable()
    notify(self)
  }
}

/// Lets the channel's handler reach the connection object created after it.
private final class ConnectionBox: @unchecked Sendable {
  // Written once on the event loop before `connect` returns, read on the event loop after.
  var handler: NIOLoopBound<ClientConnectionHandler>?
  var connection: ClientConnection? {
    get { self.lock.withLock { $0 } }
    set { self.lock.withLock { $0 = newValue } }
  }
  private let lock = Mutex<ClientConnection?>(nil)
}
