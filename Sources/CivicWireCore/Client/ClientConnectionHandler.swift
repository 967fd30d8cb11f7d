internal import CivicWireProtos
internal import GRPCCore
internal import NIOCore

/// The client end of one CivicWire connection, on its event loop: handshake, routing of
/// server frames to streams, PING, GOAWAY.
final class ClientConnectionHandler: ChannelInboundHandler, StreamFramesHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  struct StreamEntry: StreamFramesEntry {
    let stream: ClientStream
    var machine = StreamStateMachine(role: .client)
    var assembler: MessageAssembler

    func deliver(_ message: WireBytes, bytes: Int) {
      self.stream.inbound.append(.message(message), bytes: bytes)
    }
  }

  static var inboundMessageName: String { "response" }

  private enum Phase {
    case awaitingPreface
    case awaitingSettings
    case ready
    case closed
  }

  /// Events the owning `ClientConnection` reacts to.
  enum Event {
    case ready(WireSettings)
    case goAway
    /// With the first error the pipeline reported (a TLS handshake failure, for example).
    case closed(cause: (any Error)?)
    case streamCountChanged(Int)
  }

  private let localSettings: WireSettings
  private let keepalive: CivicWireKeepalive?
  private let onEvent: (Event) -> Void
  private var firstError: (any Error)?
  /// Keepalive: whether anything arrived since the last tick, the ping in flight.
  private var readSinceTick = false
  private var keepaliveTimer: RepeatedTask?
  private var keepalivePing: (opaque: UInt64, timeout: Scheduled<Void>)?
  private var decoder: NIOSingleStepByteToMessageProcessor<FrameDecoder>
  private var phase = Phase.awaitingPreface
  private var serverSettings = WireSettings.defaults
  var streams: [UInt32: StreamEntry] = [:]
  private var goingAway = false
  private var pendingPings: [UInt64: EventLoopPromise<Void>] = [:]
  private var context: ChannelHandlerContext?
  private var needsFlush = false
  private(set) var outbox: Outbox<ClientOutboxEntry>?

  init(localSettings: WireSettings, keepalive: CivicWireKeepalive?, onEvent: @escaping (Event) -> Void) {
    self.localSettings = localSettings
    self.keepalive = keepalive
    self.onEvent = onEvent
    self.decoder = NIOSingleStepByteToMessageProcessor(
      FrameDecoder(maxFrameSize: localSettings.maxFrameSize),
      maximumBufferSize: localSettings.maxFrameSize + Frame.headerLength + 1024
    )
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    self.outbox = Outbox(eventLoop: context.eventLoop) { entries in
      loopBound.value.drainOutbox(entries)
    }
    if context.channel.isActive { self.sendPreface(context: context) }
  }

  /// The context and the outbox's drain closure both hold this handler: let go of them when
  /// the pipeline drops it, or every closed connection stays in memory (a cycle that ops/fuzz
  /// wire-server's leak check found).
  func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
    self.outbox = nil
  }

  func channelActive(context: ChannelHandlerContext) {
    self.sendPreface(context: context)
    context.fireChannelActive()
  }

  private var prefaceSent = false

  private func sendPreface(context: ChannelHandlerContext) {
    guard !self.prefaceSent else { return }
    self.prefaceSent = true
    var buffer = context.channel.allocator.buffer(capacity: 64)
    FrameEncoder.writePreface(into: &buffer)
    FrameEncoder.write(.settings, streamID: 0, message: self.localSettings.message, into: &buffer)
    context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
    if let keepalive = self.keepalive {
      let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
      self.keepaliveTimer = context.eventLoop.scheduleRepeatedTask(initialDelay: keepalive.interval, delay: keepalive.interval) { _ in
        loopBound.value.keepaliveTick()
      }
    }
  }

  /// After an interval of silence, PING; no ACK within the timeout closes the connection.
  private func keepaliveTick() {
    defer { self.readSinceTick = false }
    guard let keepalive = self.keepalive, !self.readSinceTick, self.keepalivePing == nil,
      case .ready = self.phase, let context = self.context
    else { return }
    let opaque = UInt64.random(in: 1...UInt64.max)
    let channel = context.channel
    let timeout = context.eventLoop.scheduleTask(in: keepalive.timeout) {
      channel.close(promise: nil)
    }
    self.keepalivePing = (opaque, timeout)
    var buffer = ByteBuffer()
    ControlFrames.ping(opaque: opaque, into: &buffer)
    self.write(buffer)
    self.flushIfNeeded()
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.phase = .closed
    self.keepaliveTimer?.cancel()
    self.keepalivePing?.timeout.cancel()
    let open = self.streams
    self.streams.removeAll()
    for (_, entry) in open {
      entry.stream.markEnded(RPCError(code: .unavailable, message: "the connection to the server closed"))
    }
    for (_, promise) in self.pendingPings {
      promise.fail(RPCError(code: .unavailable, message: "the connection to the server closed"))
    }
    self.pendingPings.removeAll()
    self.onEvent(.closed(cause: self.firstError))
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    if case .closed = self.phase { return }
    self.readSinceTick = true
    let buffer = self.unwrapInboundIn(data)
    do {
      try self.decoder.process(buffer: buffer) { input in
        try self.handle(input)
      }
    } catch let error as ConnectionError {
      self.connectionError(error)
    } catch let error as PrefaceError {
      self.connectionError(ConnectionError(.protocolError, "the server did not answer with a CivicWire preface (\(error))"))
    } catch {
      self.connectionError(ConnectionError(.protocolError, "undecodable input from the server: \(error)"))
    }
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    self.flushIfNeeded()
    context.fireChannelReadComplete()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if self.firstError == nil { self.firstError = error }
    context.close(promise: nil)
  }

  // MARK: Frames

  private func handle(_ input: WireInput) throws {
    switch (self.phase, input) {
    case (.closed, _):
      return
    case (.awaitingPreface, .preface):
      self.phase = .awaitingSettings
    case (.awaitingSettings, .frame(let frame)):
      if frame.type == .goAway {
        let goAway = try frame.control(Civicgrid_Wire_V1_GoAway.self)
        throw ConnectionError(GoAwayCode(rawValue: goAway.errorCode) ?? .protocolError, "server refused the connection: \(goAway.message)")
      }
      guard frame.type == .settings, !frame.flags.contains(.ack), frame.streamID == 0 else {
        throw ConnectionError(.protocolError, "expected SETTINGS from the server, got \(frame.type)")
      }
      self.serverSettings = try WireSettings(received: try frame.control(Civicgrid_Wire_V1_Settings.self))
      var ack = ByteBuffer()
      FrameEncoder.write(.settings, flags: .ack, streamID: 0, into: &ack)
      self.write(ack)
      self.phase = .ready
      self.onEvent(.ready(self.serverSettings))
    case (.ready, .frame(let frame)):
      try self.handleReady(frame)
    case (_, .preface), (.awaitingPreface, .frame):
      throw ConnectionError(.protocolError, "unexpected preface")
    }
  }

  private func handleReady(_ frame: Frame) throws {
    switch frame.type {
    case .settings:
      guard frame.flags.contains(.ack) else { throw ConnectionError(.protocolError, "second SETTINGS from the server") }
    case .ping:
      let ping = try frame.control(Civicgrid_Wire_V1_Ping.self)
      if frame.flags.contains(.ack) {
        if let keepalivePing = self.keepalivePing, keepalivePing.opaque == ping.opaque {
          keepalivePing.timeout.cancel()
          self.keepalivePing = nil
        }
        self.pendingPings.removeValue(forKey: ping.opaque)?.succeed()
      } else {
        var buffer = ByteBuffer()
        ControlFrames.ping(opaque: ping.opaque, ack: true, into: &buffer)
        self.write(buffer)
      }
    case .goAway:
      let goAway = try frame.control(Civicgrid_Wire_V1_GoAway.self)
      self.receiveGoAway(goAway)
    case .headers, .message, .trailers, .cancel, .windowUpdate, .halfClose:
      try self.handleStreamFrame(frame)
    }
  }

  private func receiveGoAway(_ goAway: Civicgrid_Wire_V1_GoAway) {
    if !self.goingAway {
      self.goingAway = true
      self.onEvent(.goAway)
    }
    // Streams above the last id were never processed: safe to retry elsewhere.
    for (id, entry) in self.streams where id > goAway.lastStreamID {
      self.streams.removeValue(forKey: id)
      entry.stream.markEnded(RPCError(code: .unavailable, message: "the server is going away and did not process this call"))
    }
    // NO_ERROR and IDLE_TIMEOUT drain gracefully: streams up to the last id run to the end.
    let graceful: Set<UInt32> = [GoAwayCode.noError.rawValue, GoAwayCode.idleTimeout.rawValue]
    if !graceful.contains(goAway.errorCode) {
      let error = RPCError(code: .unavailable, message: "the server closed the connection: \(goAway.message)")
      for (_, entry) in self.streams { entry.stream.markEnded(error) }
      self.streams.removeAll()
    }
    self.streamCountChanged()
  }

  private func handleStreamFrame(_ frame: Frame) throws {
    guard frame.streamID != 0 else { throw ConnectionError(.protocolError, "\(frame.type) on stream 0") }
    let id = frame.streamID
    guard var entry = self.streams[id] else { return }
    switch entry.machine.receive(frame.type) {
    case .failure(let violation):
      self.streams[id] = entry
      self.failStream(id, .internalError, violation.message)
    case .success:
      switch frame.type {
      case .headers:
        let headers = try frame.control(Civicgrid_Wire_V1_Headers.self)
        do {
          let metadata = try WireMetadata.decode(headers.metadata)
          self.streams[id] = entry
          entry.stream.inbound.append(.metadata(metadata))
        } catch {
          self.streams[id] = entry
          self.failStream(id, .internalError, error.message)
        }
      case .message:
        self.streams[id] = entry
        self.receiveMessage(frame, on: id)
      case .trailers:
        let trailers = try frame.control(Civicgrid_Wire_V1_Trailers.self)
        self.streams.removeValue(forKey: id)
        let code = Status.Code(rawValue: Int(trailers.code)) ?? .unknown
        var metadata = (try? WireMetadata.decode(trailers.metadata)) ?? [:]
        if !trailers.details.isEmpty {
          metadata.addBinary(Array(trailers.details), forKey: WireMetadata.statusDetailsKey)
        }
        // Ended first: the caller may see the status and leave before this returns, and
        // must not then send a CANCEL for a stream the server already closed.
        entry.stream.markEnded(nil)
        entry.stream.inbound.append(.status(Status(code: code, message: trailers.message), metadata))
        entry.stream.inbound.finish()
        self.streamCountChanged()
      case .cancel:
        let cancel = (try? frame.control(Civicgrid_Wire_V1_Cancel.self)) ?? Civicgrid_Wire_V1_Cancel()
        self.streams.removeValue(forKey: id)
        let code = RPCError.Code(Status.Code(rawValue: Int(cancel.code)) ?? .cancelled) ?? .cancelled
        entry.stream.markEnded(RPCError(code: code, message: cancel.message.isEmpty ? "cancelled by the server" : cancel.message))
        self.streamCountChanged()
      case .windowUpdate:
        let update = try frame.control(Civicgrid_Wire_V1_WindowUpdate.self)
        self.streams[id] = entry
        if update.increment == 0 || !entry.stream.sendWindow.grant(Int(update.increment)) {
          self.failStream(id, .internalError, "bad WINDOW_UPDATE increment \(update.increment)")
        }
      default:
        self.streams[id] = entry
      }
    }
  }

  /// A stream error found on the client: CANCEL to the server, the call fails locally.
  func failStream(_ id: UInt32, _ code: Status.Code, _ message: String) {
    guard let entry = self.streams.removeValue(forKey: id) else { return }
    entry.stream.markEnded(RPCError(code: RPCError.Code(code) ?? .internalError, message: message))
    self.write(ControlFrames.cancel(streamID: id, code: code, message: message))
    self.streamCountChanged()
  }

  // MARK: Outbox

  private func drainOutbox(_ entries: [ClientOutboxEntry]) {
    for entry in entries {
      switch entry {
      case .open(let stream, let headers):
        guard case .ready = self.phase else {
          stream.markEnded(RPCError(code: .unavailable, message: "the connection to the server closed"))
          continue
        }
        self.streams[stream.id] = StreamEntry(
          stream: stream,
          assembler: MessageAssembler(window: self.localSettings.initialWindowSize, maxMessageSize: self.localSettings.maxMessageSize)
        )
        self.write(headers)
      case .frames(let id, let head, let payload):
        self.writeFrames(of: id, head: head, payload: payload)
      case .cancel(let id, let code, let message):
        guard self.streams.removeValue(forKey: id) != nil else { continue }
        self.write(ControlFrames.cancel(streamID: id, code: code, message: message))
        self.streamCountChanged()
      case .grant(let id, let increment):
        self.grant(id, increment: increment)
      case .ping(let opaque, let promise):
        guard case .ready = self.phase else {
          promise.fail(RPCError(code: .unavailable, message: "the connection is not ready"))
          continue
        }
        self.pendingPings[opaque] = promise
        var buffer = ByteBuffer()
        ControlFrames.ping(opaque: opaque, into: &buffer)
        self.write(buffer)
      }
    }
    self.flushIfNeeded()
  }

  private func streamCountChanged() {
    self.onEvent(.streamCountChanged(self.streams.count))
    if self.goingAway, self.streams.isEmpty {
      self.context?.close(promise: nil)
    }
  }

  /// Closes the connection once its streams are done (client-side graceful close).
  func closeWhenIdle() {
    self.goingAway = true
    if self.streams.isEmpty { self.context?.close(promise: nil) }
  }

  private func connectionError(_ error: ConnectionError) {
    guard let context = self.context else { return }
    self.phase = .closed
    var buffer = ByteBuffer()
    // A client opens no streams to the server, so its last stream id is 0.
    ControlFrames.goAway(lastStreamID: 0, code: error.code, message: error.message, into: &buffer)
    let channel = context.channel
    context.writeAndFlush(self.wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
  }

  func write(_ buffer: ByteBuffer) {
    guard let context = self.context else { return }
    context.write(self.wrapOutboundOut(buffer), promise: nil)
    self.needsFlush = true
  }

  private func flushIfNeeded() {
    guard self.needsFlush, let context = self.context else { return }
    self.needsFlush = false
    context.flush()
  }

}
