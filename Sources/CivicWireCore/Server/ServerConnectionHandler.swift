internal import CivicWireProtos
package import GRPCCore
package import Logging
package import NIOCore
internal import SwiftProtobuf

/// The server end of one CivicWire connection. Runs on the connection's event loop:
/// decodes frames, routes stream frames to their streams, and hands each new stream to the
/// transport through `onStream`. The connection's lifecycle (handshake, stream ids, drain,
/// abuse guards, timers) is decided by `ServerConnectionStateMachine`; this handler only
/// performs the actions it returns.
package final class ServerConnectionHandler: ChannelInboundHandler, StreamFramesHandler {
  package typealias InboundIn = ByteBuffer
  package typealias OutboundOut = ByteBuffer

  /// Per-stream state only the event loop touches.
  struct StreamEntry: StreamFramesEntry {
    let stream: ServerStream
    var machine = StreamStateMachine(role: .server)
    var assembler: MessageAssembler
    var deadline: Scheduled<Void>?

    func deliver(_ message: WireBytes, bytes: Int) {
      self.stream.inbound.append(.message(message), bytes: bytes)
    }
  }

  static var inboundMessageName: String { "request" }

  private let config: CivicWireServerConfig
  private let observer: CivicWireServerObserver
  private let logger: Logger
  /// The server's methods by fully qualified name (`package.Service/Method`).
  private let methods: [String: MethodDescriptor]
  /// The instance's count of calls in flight; every stream in `streams` holds one place.
  private let admission: InFlightLimit?
  private let onStream: (ServerStream) -> Void
  private let onClose: () -> Void
  /// The clock the abuse guards measure with (injected by tests).
  private let now: () -> NIODeadline
  private var decoder: NIOSingleStepByteToMessageProcessor<FrameDecoder>
  private var machine: ServerConnectionStateMachine
  private var timers: [ServerConnectionStateMachine.Timer: Scheduled<Void>] = [:]
  private var peerSettings = WireSettings.defaults
  var streams: [UInt32: StreamEntry] = [:]
  private var context: ChannelHandlerContext?
  private var outbox: Outbox<ServerOutboxEntry>?
  private var started = false
  private var remotePeer = "unknown"
  private var localPeer = "unknown"
  private var needsFlush = false

  package init(
    config: CivicWireServerConfig,
    observer: CivicWireServerObserver,
    logger: Logger,
    methods: [String: MethodDescriptor] = [:],
    admission: InFlightLimit? = nil,
    onStream: @escaping (ServerStream) -> Void,
    onClose: @escaping () -> Void,
    now: @escaping () -> NIODeadline = { .now() }
  ) {
    self.config = config
    self.methods = methods
    self.admission = admission
    self.observer = observer
    self.logger = logger
    self.onStream = onStream
    self.onClose = onClose
    self.now = now
    self.decoder = NIOSingleStepByteToMessageProcessor(
      FrameDecoder(maxFrameSize: config.settings.maxFrameSize),
      maximumBufferSize: config.settings.maxFrameSize + Frame.headerLength + 1024
    )
    self.machine = ServerConnectionStateMachine(config: config, drainPing: UInt64.random(in: 1...UInt64.max))
  }

  // MARK: Channel events

  package func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
    let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
    self.outbox = Outbox(eventLoop: context.eventLoop) { entries in
      loopBound.value.drainOutbox(entries)
    }
    if context.channel.isActive { self.start(context: context) }
  }

  /// The context and the outbox's drain closure both hold this handler: let go of them when
  /// the pipeline drops it, or every closed connection stays in memory (a cycle that ops/fuzz
  /// wire-server's leak check found).
  package func handlerRemoved(context: ChannelHandlerContext) {
    self.context = nil
    self.outbox = nil
  }

  package func channelActive(context: ChannelHandlerContext) {
    self.start(context: context)
    context.fireChannelActive()
  }

  private func start(context: ChannelHandlerContext) {
    guard !self.started else { return }
    self.started = true
    self.remotePeer = PeerDescription.describe(context.channel.remoteAddress)
    self.localPeer = PeerDescription.describe(context.channel.localAddress)
    self.observer.connectionOpened()
    self.perform(self.machine.connectionActive())
  }

  package func channelInactive(context: ChannelHandlerContext) {
    self.perform(self.machine.channelInactive())
    let open = self.streams
    self.streams.removeAll()
    for (_, entry) in open {
      entry.deadline?.cancel()
      entry.stream.terminate(RPCError(code: .unavailable, message: "connection closed"))
      self.admission?.leave()
      self.observer.streamClosed()
    }
    self.observer.connectionClosed()
    self.onClose()
    context.fireChannelInactive()
  }

  package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    // After a connection error the rest of the input is not worth decoding.
    if self.machine.isClosed { return }
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

  package func channelReadComplete(context: ChannelHandlerContext) {
    self.flushIfNeeded()
    context.fireChannelReadComplete()
  }

  package func errorCaught(context: ChannelHandlerContext, error: any Error) {
    // Socket errors (reset by peer and the like) end this connection only.
    context.close(promise: nil)
  }

  package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is ChannelShouldQuiesceEvent {
      self.perform(self.machine.beginDrain(reason: "server shutting down"))
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }

  // MARK: Frames

  private func handle(_ input: WireInput) throws {
    switch (self.machine.phase, input) {
    case (.closed, _):
      return
    case (_, .preface):
      self.perform(try self.machine.receivedPreface())
    case (.awaitingPreface, .frame):
      throw ConnectionError(.protocolError, "unexpected preface")
    case (.awaitingSettings, .frame(let frame)):
      guard frame.type == .settings, !frame.flags.contains(.ack), frame.streamID == 0 else {
        throw ConnectionError(.protocolError, "expected SETTINGS as the first frame, got \(frame.type)")
      }
      let message = try frame.control(Civicgrid_Wire_V1_Settings.self)
      self.peerSettings = try WireSettings(received: message)
      self.perform(try self.machine.receivedSettings())
    case (.active, .frame(let frame)):
      try self.handleActive(frame)
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
      self.perform(self.machine.receivedGoAway())
    case .headers:
      try self.openStream(frame)
    case .message, .halfClose, .cancel, .windowUpdate, .trailers:
      try self.handleStreamFrame(frame)
    }
  }

  private func handlePing(_ frame: Frame) throws {
    let ping = try frame.control(Civicgrid_Wire_V1_Ping.self)
    self.perform(try self.machine.receivedPing(opaque: ping.opaque, ack: frame.flags.contains(.ack), now: self.now()))
  }

  private func openStream(_ frame: Frame) throws {
    let id = frame.streamID
    switch try self.machine.receivedHeaders(streamID: id, metadataSize: frame.payload.readableBytes) {
    case .ignore:
      return
    case .refuse(let code, let message):
      return self.refuse(id, code, message)
    case .proceed:
      break
    }
    let headers = try frame.control(Civicgrid_Wire_V1_Headers.self)
    guard let parsed = Self.descriptor(fromPath: headers.method) else {
      return self.refuse(id, .unimplemented, "malformed method path '\(headers.method.prefix(128))'")
    }
    // The server's own descriptor knows the call shape, which decides when headers go out.
    let served = self.methods[parsed.fullyQualifiedMethod]
    let descriptor = served ?? parsed
    let metadata: Metadata
    do {
      metadata = try WireMetadata.decode(headers.metadata)
    } catch {
      return self.refuse(id, .internalError, error.message)
    }
    guard let outbox = self.outbox, let context = self.context else { return }
    // Refused here, on the event loop, the excess costs no task and never queues behind
    // accepted calls (docs/RELIABILITY.md, "Admission control").
    if let admission = self.admission, case .refuse(let refusal) = admission.enter() {
      self.observer.callRefused(served?.fullyQualifiedMethod)
      return self.write(ControlFrames.trailers(streamID: id, code: refusal.code, message: refusal.message, metadata: refusal.metadata))
    }

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
    self.perform(self.machine.streamOpened())
    self.observer.streamOpened()
    stream.inbound.append(.metadata(metadata))
    self.onStream(stream)
  }

  private func handleStreamFrame(_ frame: Frame) throws {
    let id = frame.streamID
    guard self.machine.wasOpened(streamID: id) else {
      throw ConnectionError(.protocolError, "\(frame.type) on stream \(id), which was never opened")
    }
    // Frames for a stream that already ended may have crossed our TRAILERS: ignore.
    guard var entry = self.streams[id] else { return }
    // Only cancels of running streams cost the server work ("rapid reset"); count those.
    if frame.type == .cancel { try self.machine.receivedCancel(now: self.now()) }

    switch entry.machine.receive(frame.type) {
    case .failure(let violation):
      self.streams[id] = entry
      return self.failStream(id, .internalError, violation.message)
    case .success(let transition):
      switch frame.type {
      case .message:
        self.streams[id] = entry
        return self.receiveMessage(frame, on: id)
      case .windowUpdate:
        let update = try frame.control(Civicgrid_Wire_V1_WindowUpdate.self)
        guard update.increment > 0, entry.stream.sendWindow.grant(Int(update.increment)) else {
          self.streams[id] = entry
          return self.failStream(id, .internalError, "WINDOW_UPDATE increment \(update.increment) is zero or overflows the window")
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

  // MARK: Ending streams

  /// Answers a HEADERS with TRAILERS without opening the stream.
  private func refuse(_ id: UInt32, _ code: Status.Code, _ message: String) {
    self.write(ControlFrames.trailers(streamID: id, code: code, message: message))
  }

  /// Fails one stream (docs/PROTOCOL.md, section 3.3): TRAILERS to the client, the
  /// handler cancelled; the connection and other streams carry on.
  func failStream(_ id: UInt32, _ code: Status.Code, _ message: String) {
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
    self.admission?.leave()
    self.observer.streamClosed()
    self.perform(self.machine.streamClosed())
  }

  // MARK: Outbox (writes from handler tasks)

  private func drainOutbox(_ entries: [ServerOutboxEntry]) {
    for entry in entries {
      switch entry {
      case .frames(let id, let head, let payload):
        self.writeFrames(of: id, head: head, payload: payload)
      case .trailers(let id, let bytes):
        guard let stream = self.streams[id] else { continue }
        self.write(bytes)
        self.closeStream(id, stream, terminating: nil)
      case .grant(let id, let increment):
        self.grant(id, increment: increment)
      }
    }
    self.flushIfNeeded()
  }

  // MARK: Performing the state machine's actions

  private func perform(_ actions: [ServerConnectionStateMachine.Action]) {
    for action in actions { self.perform(action) }
  }

  private func perform(_ action: ServerConnectionStateMachine.Action) {
    guard let context = self.context else { return }
    switch action {
    case .schedule(let timer, let delay):
      let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
      self.timers[timer]?.cancel()
      self.timers[timer] = context.eventLoop.scheduleTask(in: delay) {
        let handler = loopBound.value
        handler.timers[timer] = nil
        handler.perform(handler.machine.timerFired(timer))
      }
    case .cancel(let timer):
      self.timers.removeValue(forKey: timer)?.cancel()
    case .sendPrefaceAndSettings:
      var buffer = context.channel.allocator.buffer(capacity: 64)
      FrameEncoder.writePreface(into: &buffer)
      FrameEncoder.write(.settings, streamID: 0, message: self.config.settings.message, into: &buffer)
      self.write(buffer)
    case .acknowledgeSettings:
      var ack = ByteBuffer()
      FrameEncoder.write(.settings, flags: .ack, streamID: 0, into: &ack)
      self.write(ack)
    case .sendPingAck(let opaque):
      var buffer = ByteBuffer()
      ControlFrames.ping(opaque: opaque, ack: true, into: &buffer)
      self.write(buffer)
    case .announceDrain(let reason, let code, let ping):
      var buffer = ByteBuffer()
      ControlFrames.goAway(lastStreamID: UInt32(Int32.max), code: code, message: reason, into: &buffer)
      ControlFrames.ping(opaque: ping, into: &buffer)
      self.write(buffer)
      self.flushIfNeeded()
    case .commitDrain(let lastStreamID, let code):
      var buffer = ByteBuffer()
      ControlFrames.goAway(lastStreamID: lastStreamID, code: code, message: "draining", into: &buffer)
      self.write(buffer)
      self.flushIfNeeded()
    case .failOpenStreams:
      for (id, entry) in self.streams {
        self.write(ControlFrames.trailers(streamID: id, code: .unavailable, message: "server shut down before the call completed"))
        self.closeStream(id, entry, terminating: RPCError(code: .unavailable, message: "server shutting down"))
      }
      self.flushIfNeeded()
    case .closeWithError(let error, let lastStreamID, let sendPreface):
      self.logger.debug(
        "closing connection after a protocol violation",
        metadata: ["connection.peer": "\(self.remotePeer)", "goaway.code": "\(error.code)", "error": "\(error.message)"]
      )
      var buffer = ByteBuffer()
      if sendPreface { FrameEncoder.writePreface(into: &buffer) }
      ControlFrames.goAway(lastStreamID: lastStreamID, code: error.code, message: error.message, into: &buffer)
      let channel = context.channel
      context.writeAndFlush(self.wrapOutboundOut(buffer)).whenComplete { _ in
        channel.close(promise: nil)
      }
    case .close:
      self.flushIfNeeded()
      context.close(promise: nil)
    }
  }

  private func connectionError(_ error: ConnectionError) {
    self.perform(self.machine.connectionError(error))
  }

  private func rejectPreface(_ error: PrefaceError) {
    guard let context = self.context else { return }
    self.logger.debug("rejected a connection", metadata: ["connection.peer": "\(self.remotePeer)", "error": "\(error)"])
    if case .httpRequest = error {
      self.machine.closing()
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

  /// Parses "/package.Service/Method".
  static func descriptor(fromPath path: String) -> MethodDescriptor? {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
    return MethodDescriptor(fullyQualifiedService: String(parts[1]), method: String(parts[2]))
  }
}
