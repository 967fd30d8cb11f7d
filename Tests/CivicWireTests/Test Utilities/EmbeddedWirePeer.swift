import CivicWireProtos
import Logging
import NIOCore
import NIOEmbedded
import SwiftProtobuf

@testable import CivicWireCore

/// A CivicWire client played by the test against a `ServerConnectionHandler` on an
/// `EmbeddedChannel`: it writes raw frames and decodes what the server writes back.
final class EmbeddedWirePeer {
  let channel: EmbeddedChannel
  private let opened = StreamBox()
  private var decoder = FrameDecoder(maxFrameSize: 1 << 24, expectPreface: true)
  private var pending = ByteBuffer()

  final class StreamBox: @unchecked Sendable {
    var streams: [ServerStream] = []
  }

  init(config: CivicWireServerConfig = .defaults, admission: InFlightLimit? = nil, observer: CivicWireServerObserver = .none) throws {
    let box = self.opened
    let handler = ServerConnectionHandler(
      config: config,
      observer: observer,
      logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
      admission: admission,
      onStream: { box.streams.append($0) },
      onClose: {}
    )
    self.channel = EmbeddedChannel(handler: handler)
    try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40_000)).wait()
  }

  var streams: [ServerStream] { self.opened.streams }

  func sendRaw(_ bytes: [UInt8]) throws {
    try self.channel.writeInbound(ByteBuffer(bytes: bytes))
  }

  func send(_ type: FrameType, flags: FrameFlags = [], stream: UInt32, payload: [UInt8] = []) throws {
    var buffer = ByteBuffer()
    FrameEncoder.write(type, flags: flags, streamID: stream, payload: ByteBuffer(bytes: payload), into: &buffer)
    try self.channel.writeInbound(buffer)
  }

  func send(_ type: FrameType, flags: FrameFlags = [], stream: UInt32, message: some SwiftProtobuf.Message) throws {
    var buffer = ByteBuffer()
    FrameEncoder.write(type, flags: flags, streamID: stream, message: message, into: &buffer)
    try self.channel.writeInbound(buffer)
  }

  /// Preface and SETTINGS both ways, with the ACK; returns the server's settings.
  @discardableResult
  func handshake(settings: Civicgrid_Wire_V1_Settings = WireSettings.defaults.message) throws -> Civicgrid_Wire_V1_Settings {
    try self.sendRaw(Preface.bytes)
    try self.send(.settings, stream: 0, message: settings)
    let inputs = try self.read()
    guard inputs.count == 3, case .preface = inputs[0], case .frame(let server) = inputs[1], case .frame(let ack) = inputs[2],
      server.type == .settings, ack.type == .settings, ack.flags.contains(.ack)
    else {
      throw PeerError("unexpected handshake answer: \(inputs)")
    }
    return try Civicgrid_Wire_V1_Settings(serializedBytes: Array(server.payload.readableBytesView))
  }

  /// Opens a stream with HEADERS for `method`.
  func open(
    _ stream: UInt32,
    method: String = "/civicgrid.v1.Diagnostics/EmptyCall",
    timeoutMicros: UInt64 = 0,
    metadata: [(String, String)] = []
  ) throws {
    var headers = Civicgrid_Wire_V1_Headers()
    headers.method = method
    headers.timeoutMicros = timeoutMicros
    headers.metadata = metadata.map { key, value in
      var entry = Civicgrid_Wire_V1_MetadataEntry()
      entry.key = key
      entry.stringValue = value
      return entry
    }
    try self.send(.headers, stream: stream, message: headers)
  }

  /// Runs pending event-loop work and decodes everything the server wrote.
  func read() throws -> [WireInput] {
    self.channel.embeddedEventLoop.run()
    while let buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
      self.pending.writeImmutableBuffer(buffer)
    }
    var inputs: [WireInput] = []
    while let input = try self.decoder.decode(buffer: &self.pending) {
      inputs.append(input)
    }
    return inputs
  }

  /// The frames the server wrote, without the preface.
  func readFrames() throws -> [Frame] {
    try self.read().compactMap { input in
      if case .frame(let frame) = input { return frame }
      return nil
    }
  }

  /// Everything the server wrote as raw bytes (for non-CivicWire answers such as HTTP).
  func readRawText() throws -> String {
    self.channel.embeddedEventLoop.run()
    var text = ""
    while var buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
      text += buffer.readString(length: buffer.readableBytes) ?? ""
    }
    return text
  }

  static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ frame: Frame) throws -> M {
    try M(serializedBytes: Array(frame.payload.readableBytesView))
  }

  struct PeerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }
}
