internal import CivicProtos
internal import GRPCCore
internal import Logging
internal import NIOCore
internal import SwiftProtobuf

/// The server end of one CivicWire connection. Runs on the connection's event loop:
/// decodes frames, applies the protocol's rules and limits, and hands each new stream
/// to the transport through `onStream`.
final class ServerConnectionHandler: ChannelInboundHandler {
  typealias InboundIn = ByteBuffer
  typealias OutboundOut = ByteBuffer

  /// Per-stream state only the event loop touches.
  private struct StreamEntry {
    let stream: ServerStream
    var machine = StreamStateMachine(role: .server)
    var assembler: MessageAssembler
    var deadline: Scheduled<Void>?
  }

  private enum Phase {
    case awaitingPreface
    case awaitingSettings
    case active
    /// After a connection error or a close: input is ignored.
    case closed
  }

  private enum Drain {
    case none
    /// First GOAWAY (last id 2^31-1) sent; waiting for the PING ack.
    case announced(ping: UInt64, fallback: Scheduled<Void>?)
    /// Second GOAWAY sent; streams above `lastStreamID` are refused.
    case committed
  }

  private let config: CivicWireServerConfig
  private let observer: CivicWireServerTransport.Observer
  private let logger: Logger
  /// The server's methods by fully qualified name (`package.Service/Method`).
  private let methods: [String: MethodDescriptor]
  private let onStream: (ServerStream) -> Void
  private let onClose: () -> Void
  private var decoder: NIOSingleStepByteToMessageProcessor<FrameDecoder>
  private var phase = Phase.awaitingPreface
  private var drain = Drain.none
  private var peerSettings = WireSettings.defaults
  private var streams: [UInt32: StreamEntry] = [:]
  private var lastStreamID: UInt32 = 0
  private var guards: ConnectionGuards
  private var context: ChannelHandlerContext?
  private var outbox: Outbox<ServerOutboxEntry>?
  private var handshakeTimer: Scheduled<Void>?
  private var idleTimer: Scheduled<Void>?
  private var graceTimer: Scheduled<Void>?
  private var remotePeer = "unknown"
  private var localPeer = "unknown"
  private var needsFlush = false

  init(
    config: CivicWireServerConfig,
    observer: CivicWireServerTransport.Observer,
    logger: Logger,
    methods: [String: MethodDescriptor] = [:],
    onStream: @escaping (ServerStream) -> Void,
    onClose: @escaping () -> Void
  ) {
    self.config = config
    self.methods = methods
    self.observer = observer
    self.logger = logger
    self.onStream = onStream
    self.onClose = onClose
    self.decoder = NIOSingleStepByteToMessageProcessor(
      FrameDecoder(maxFrameSize: config.settings.maxFrameSize),
      maximumBufferSize: config.settings.maxFrameSize + Frame.headerLength + 1024
    )
    self.guards = ConnectionGuards(
      minPingInterval: config.minPingInterval,
      maxPingStrikes: config.maxPingStrikes,
      cancelFloodLimit: config.cancelFloodLimit,
      cancelFloodWindow: config.cancelFloodWindow
    )
  }

  // MARK: Channel events

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    self.outbox = Outbox(eventLoop: context.eventLoop) { entries in
      loopBound.value.drainOutbox(entries)
    }
    if context.channel.isActive { self.start(context: context) }
  }

  func channelActive(context: ChannelHandlerContext) {
    self.start(context: context)
    context.fireChannelActive()
  }

  private func start(context: ChannelHandlerContext) {
    guard self.handshakeTimer == nil else { return }
    self.remotePeer = PeerDescription.describe(context.channel.remoteAddress)
    self.localPeer = PeerDescription.describe(context.channel.localAddress)
    self.observer.connectionOpened()
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    self.handshakeTimer = context.eventLoop.scheduleTask(in: self.config.handshakeTimeout) {
      let handler = loopBound.value
      guard case .awaitingPreface = handler.phase else {
        if case .awaitingSettings = handler.phase {
          handler.connectionError(ConnectionError(.handshakeTimeout, "no SETTINGS within the handshake timeout"))
        }
        return
      }
      handler.connectionError(ConnectionError(.handshakeTimeout, "no preface within the handshake timeout"))
    }
  }

  func channelInactive(context: ChannelHandlerContext) {
    self.phase = .closed
    self.handshakeTimer?.cancel()
    self.idleTimer?.cancel()
    self.graceTimer?.cancel()
    if case .announced(_, let fallback) = self.drain { fallback?.cancel() }
    let open = self.streams
    self.streams.removeAll()
    for (_, entry) in open {
      entry.deadline?.cancel()
      entry.stream.terminate(RPCError(code: .unavailable, message: "connection closed"))
      self.observer.streamClosed()
    }
    self.observer.connectionClosed()
    self.onClose()
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    // After a connection error the rest of the input is not worth decoding.
    if case .closed = self.phase { return }
    let buffer = self.unwrapInboundIn(data)
    do {
      try self.decoder.process(buffer: buffer) { input in
        try self.handle(input)
      }
    } catch let error as ConnectionError {
      self.connectionError(error)
    } catch let error as PrefaceError {
      self.rejectPreface(error)
    } catch {
      self.connectionError(ConnectionError(.protocolError, "undecodable input: \(error)"))
    }
  }

  func channelReadComplete(context: ChannelHandlerContext) {
    self.flushIfNeeded()
    context.fireChannelReadComplete()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    // Socket errors (reset by peer and the like) end this connection only.
    context.close(promise: nil)
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is ChannelShouldQuiesceEvent {
      self.beginDrain(reason: "server shutting down")
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }

  // MARK: Frames

  private func handle(_ input: WireInput) throws {
    guard let context = self.context else { return }
    switch (self.phase, input) {
    case (.closed, _):
      return
    case (.awaitingPreface, .preface):
      var buffer = context.channel.allocator.buffer(capacity: 64)
      FrameEncoder.writePreface(into: &buffer)
      FrameEncoder.write(.settings, streamID: 0, message: self.config.settings.message, into: &buffer)
      self.write(buffer)
      self.phase = .awaitingSettings
    case (.awaitingSettings, .frame(let frame)):
      guard frame.type == .settings, !frame.flags.contains(.ack), frame.streamID == 0 else {
        throw ConnectionError(.protocolError, "expected SETTINGS as the first frame, got \(frame.type)")
      }
      let message = try frame.control(Civicgrid_Wire_V1_Settings.self)
      self.peerSettings = try WireSettings(received: message)
      var ack = ByteBuffer()
      FrameEncoder.write(.settings, flags: .ack, streamID: 0, into: &ack)
      self.write(ack)
      self.handshakeTimer?.cancel()
      self.phase = .active
      self.armIdleTimer()
    case (.active, .frame(let frame)):
      try self.handleActive(frame)
    case (_, .preface), (.awaitingPreface, .frame):
      throw ConnectionError(.protocolError, "unexpected preface")
    }
  }

  private func handleActive(_ frame: Frame) throws {
    if frame.type.isConnectionLevel {
      guard frame.streamID == 0 else {
        throw ConnectionError(.protocolError, "\(frame.type) on stream \(frame.streamID); it belongs on stream 0")
      }
    } else if frame.streamID == 0 {
      throw ConnectionError(.protocolError, "\(frame.type) on stream 0")
    }

    switch frame.type {
    case .settings:
      guard frame.flags.contains(.ack) else {
        throw ConnectionError(.protocolError, "SETTINGS may be sent only once")
      }
    case .ping:
      try self.handlePing(frame)
    case .goAway:
      // The client is leaving: finish what is open, then close.
      self.drain = .committed
      self.closeIfDrained()
    case .headers:
      try self.openStream(frame)
    case .message, .halfClose, .cancel, .windowUpdate, .trailers:
      try self.handleStreamFrame(frame)
    }
  }

  private func handlePing(_ frame: Frame) throws {
    let ping = try frame.control(Civicgrid_Wire_V1_Ping.self)
    if frame.flags.contains(.ack) {
      if case .announced(let opaque, let fallback) = self.drain, ping.opaque == opaque {
        fallback?.cancel()
        self.commitDrain()
      }
      return
    }
    guard self.guards.pingReceived(at: .now()) else {
      throw ConnectionError(.enhanceYourCalm, "too many pings")
    }
    var buffer = ByteBuffer()
    ControlFrames.ping(opaque: ping.opaque, ack: true, into: &buffer)
    self.write(buffer)
  }

  private func openStream(_ frame: Frame) throws {
    let id = frame.streamID
    guard id % 2 == 1, id > self.lastStreamID else {
      throw ConnectionError(
        .protocolError,
        "HEADERS on stream \(id): client stream ids must be odd and increasing (last \(self.lastStreamID))"
      )
    }
    self.lastStreamID = id
    if case .committed = self.drain {
      // Past the second GOAWAY: the client knows this stream was not processed.
      return
    }
    self.guards.streamOpened()
    guard frame.payload.readableBytes <= self.config.settings.maxMetadataSize else {
      return self.refuse(
        id,
        .resourceExhausted,
        "metadata of \(frame.payload.readableBytes) bytes exceeds the limit \(self.config.settings.maxMetadataSize)"
      )
    }
    guard self.streams.count < self.config.settings.maxConcurrentStreams else {
      return self.refuse(id, .resourceExhausted, "too many concurrent streams (limit \(self.config.settings.maxConcurrentStreams))")
    }
    let headers = try frame.control(Civicgrid_Wire_V1_Headers.self)
    guard let parsed = Self.descriptor(fromPath: headers.method) else {
      return self.refuse(id, .unimplemented, "malformed method path '\(headers.method.prefix(128))'")
    }
    // The server's own descriptor knows the call shape, which decides when headers go out.
    let descriptor = self.methods[parsed.fullyQualifiedMethod] ?? parsed
    let metadata: Metadata
    do {
      metadata = try WireMetadata.decode(headers.metadata)
    } catch {
      return self.refuse(id, .internalError, error.message)
    }
    guard let outbox = self.outbox, let context = self.context else { return }

    let stream = ServerStream(
      id: id,
      descriptor: descriptor,
      localSettings: self.config.settings,
      peerSettings: self.peerSettings,
      remotePeer: self.remotePeer,
      localPeer: self.localPeer,
      outbox: outbox
    )
    var entry = StreamEntry(
      stream: stream,
      assembler: MessageAssembler(window: self.config.settings.initialWindowSize, maxMessageSize: self.config.settings.maxMessageSize)
    )
    if headers.timeoutMicros > 0 {
      let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
      let micros = headers.timeoutMicros
      entry.deadline = context.eventLoop.scheduleTask(in: .microseconds(Int64(clamping: micros))) {
        loopBound.value.deadlineExpired(id, micros: micros)
      }
    }
    self.streams[id] = entry
    self.idleTimer?.cancel()
    self.idleTimer = nil
    self.observer.streamOpened()
    stream.inbound.append(.metadata(metadata))
    self.onStream(stream)
  }

  private func handleStreamFrame(_ frame: Frame) throws {
    let id = frame.streamID
    guard id <= self.lastStreamID else {
      throw ConnectionError(.protocolError, "\(frame.type) on stream \(id), which was never opened")
    }
    // Frames for a stream that already ended may have crossed our TRAILERS: ignore.
    guard var entry = self.streams[id] else { return }
    // Only cancels of running streams cost the server work ("rapid reset"); count those.
    if frame.type == .cancel, !self.guards.cancelReceived(at: .now()) {
      throw ConnectionError(.enhanceYourCalm, "cancel flood: more than \(self.config.cancelFloodLimit) cancels")
    }

    switch entry.machine.receive(frame.type) {
    case .failure(let violation):
      self.streams[id] = entry
      return self.streamError(id, .internalError, violation.message)
    case .success(let transition):
      switch frame.type {
      case .message:
        self.streams[id] = entry
        return self.receiveMessage(frame, on: id)
      case .windowUpdate:
        let update = try frame.control(Civicgrid_Wire_V1_WindowUpdate.self)
        guard update.increment > 0, entry.stream.sendWindow.grant(Int(update.increment)) else {
          self.streams[id] = entry
          return self.streamError(id, .internalError, "WINDOW_UPDATE increment \(update.increment) is zero or overflows the window")
        }
      case .cancel:
        self.closeStream(id, entry, terminating: RPCError(code: .cancelled, message: "cancelled by the client"))
        return
      default:
        break
      }
      if transition == .remoteHalfClosed {
        entry.stream.inbound.finish()
      }
      self.streams[id] = entry
    }
  }

  private func receiveMessage(_ frame: Frame, on id: UInt32) {
    guard var entry = self.streams[id] else { return }
    let step = entry.assembler.receive(frame.payload, more: frame.flags.contains(.more))
    self.streams[id] = entry
    switch step {
    case .failure(let violation):
      self.streamError(id, .resourceExhausted, violation.message("request"))
    case .success(.fragment(let grant)):
      self.writeWindowUpdate(id, increment: grant)
    case .success(.message(let message, let unaccounted)):
      entry.stream.inbound.append(.message(WireBytes(message)), bytes: unaccounted)
    }
  }

  // MARK: Ending streams

  /// Answers a HEADERS with TRAILERS without opening the stream.
  private func refuse(_ id: UInt32, _ code: Status.Code, _ message: String) {
    self.write(ControlFrames.trailers(streamID: id, code: code, message: message))
  }

  /// Fails one stream (docs/PROTOCOL.md, section 3.3): TRAILERS to the client, the
  /// handler cancelled; the connection and other streams carry on.
  private func streamError(_ id: UInt32, _ code: Status.Code, _ message: String) {
    guard let entry = self.streams[id] else { return }
    self.write(ControlFrames.trailers(streamID: id, code: code, message: message))
    self.closeStream(id, entry, terminating: RPCError(code: RPCError.Code(code) ?? .internalError, message: message))
  }

  private func deadlineExpired(_ id: UInt32, micros: UInt64) {
    guard let entry = self.streams[id] else { return }
    let message = "deadline of \(micros / 1000) ms exceeded"
    self.write(ControlFrames.trailers(streamID: id, code: .deadlineExceeded, message: message))
    self.closeStream(id, entry, terminating: RPCError(code: .deadlineExceeded, message: message))
    self.flushIfNeeded()
  }

  private func closeStream(_ id: UInt32, _ entry: StreamEntry, terminating error: RPCError?) {
    self.streams.removeValue(forKey: id)
    entry.deadline?.cancel()
    if let error {
      entry.stream.terminate(error)
    } else {
      entry.stream.completed()
    }
    self.observer.streamClosed()
    if self.streams.isEmpty {
      self.armIdleTimer()
      self.closeIfDrained()
    }
  }

  // MARK: Outbox (writes from handler tasks)

  private func drainOutbox(_ entries: [ServerOutboxEntry]) {
    for entry in entries {
      switch entry {
      case .frames(let id, let head, let payload):
        guard self.streams[id] != nil else { continue }
        self.write(head)
        if let payload { self.write(payload) }
      case .trailers(let id, let bytes):
        guard let stream = self.streams[id] else { continue }
        self.write(bytes)
        self.closeStream(id, stream, terminating: nil)
      case .grant(let id, let increment):
        guard var stream = self.streams[id] else { continue }
        stream.assembler.granted(increment)
        self.streams[id] = stream
        self.writeWindowUpdate(id, increment: increment)
      }
    }
    self.flushIfNeeded()
  }

  // MARK: Connection lifecycle

  private func armIdleTimer() {
    guard let context = self.context, self.idleTimer == nil, case .active = self.phase else { return }
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    self.idleTimer = context.eventLoop.scheduleTask(in: self.config.idleTimeout) {
      let handler = loopBound.value
      handler.idleTimer = nil
      if handler.streams.isEmpty { handler.beginDrain(reason: "idle") }
    }
  }

  /// Starts the two-phase GOAWAY (docs/PROTOCOL.md, section 6.1).
  func beginDrain(reason: String) {
    guard let context = self.context else { return }
    switch self.phase {
    case .awaitingPreface, .awaitingSettings:
      self.phase = .closed
      context.close(promise: nil)
      return
    case .closed:
      return
    case .active:
      break
    }
    guard case .none = self.drain else { return }
    let opaque = UInt64.random(in: 1...UInt64.max)
    var buffer = ByteBuffer()
    ControlFrames.goAway(lastStreamID: UInt32(Int32.max), code: .noError, message: reason, into: &buffer)
    ControlFrames.ping(opaque: opaque, into: &buffer)
    self.write(buffer)
    self.flushIfNeeded()

    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    let fallback = context.eventLoop.scheduleTask(in: .seconds(1)) {
      loopBound.value.commitDrain()
    }
    self.drain = .announced(ping: opaque, fallback: fallback)
    self.graceTimer = context.eventLoop.scheduleTask(in: self.config.gracePeriod) {
      loopBound.value.gracePeriodOver()
    }
  }

  private func commitDrain() {
    guard case .announced = self.drain else { return }
    self.drain = .committed
    var buffer = ByteBuffer()
    ControlFrames.goAway(lastStreamID: self.lastStreamID, code: .noError, message: "draining", into: &buffer)
    self.write(buffer)
    self.flushIfNeeded()
    self.closeIfDrained()
  }

  private func gracePeriodOver() {
    for (id, entry) in self.streams {
      self.write(ControlFrames.trailers(streamID: id, code: .unavailable, message: "server shut down before the call completed"))
      self.closeStream(id, entry, terminating: RPCError(code: .unavailable, message: "server shutting down"))
    }
    self.flushIfNeeded()
    self.context?.close(promise: nil)
  }

  private func closeIfDrained() {
    guard case .committed = self.drain, self.streams.isEmpty, let context = self.context else { return }
    self.phase = .closed
    self.flushIfNeeded()
    context.close(promise: nil)
  }

  private func connectionError(_ error: ConnectionError) {
    guard let context = self.context else { return }
    if case .closed = self.phase { return }
    self.logger.debug(
      "closing connection after a protocol violation",
      metadata: ["connection.peer": "\(self.remotePeer)", "goaway.code": "\(error.code)", "error": "\(error.message)"]
    )
    let sendPreface: Bool
    if case .awaitingPreface = self.phase { sendPreface = true } else { sendPreface = false }
    self.phase = .closed
    var buffer = ByteBuffer()
    if sendPreface { FrameEncoder.writePreface(into: &buffer) }
    ControlFrames.goAway(lastStreamID: self.lastStreamID, code: error.code, message: error.message, into: &buffer)
    let channel = context.channel
    context.writeAndFlush(self.wrapOutboundOut(buffer)).whenComplete { _ in
      channel.close(promise: nil)
    }
  }

  private func rejectPreface(_ error: PrefaceError) {
    guard let context = self.context else { return }
    self.logger.debug("rejected a connection", metadata: ["connection.peer": "\(self.remotePeer)", "error": "\(error)"])
    if case .httpRequest = error {
      self.phase = .closed
      let buffer = context.channel.allocator.buffer(string: Preface.httpRejection)
      let channel = context.channel
      context.writeAndFlush(self.wrapOutboundOut(buffer)).whenComplete { _ in
        channel.close(promise: nil)
      }
    } else {
      self.connectionError(error.connectionError)
    }
  }

  // MARK: Helpers

  private func writeWindowUpdate(_ id: UInt32, increment: Int) {
    self.write(ControlFrames.windowUpdate(streamID: id, increment: increment))
  }

  private func write(_ buffer: ByteBuffer) {
    guard let context = self.context else { return }
    context.write(self.wrapOutboundOut(buffer), promise: nil)
    self.needsFlush = true
  }

  private func flushIfNeeded() {
    guard self.needsFlush, let context = self.context else { return }
    self.needsFlush = false
    context.flush()
  }

  /// Parses "/package.Service/Method".
  static func descriptor(fromPath path: String) -> MethodDescriptor? {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
    return MethodDescriptor(fullyQualifiedService: String(parts[1]), method: String(parts[2]))
  }
}
