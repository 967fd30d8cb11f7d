import CivicServer
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

/// The frame and writability sequence behind issue 20 (docs/INTEROP.md): a server
/// `NIOHTTP2Handler` holds flushed DATA while the connection is not writable, a control
/// frame is written after that flush but not yet flushed itself, and then the connection
/// turns writable. swift-nio-http2 1.46.0 releases the DATA past the unflushed control frame
/// and, in a debug build, stops the process in `ControlFrameBuffer.processOutboundFrame`.
@Suite("HTTP/2 writability and control frames", .serialized, .timeLimit(.minutes(5)))
struct HTTP2WritabilityTests {
  @Test("with the flush point: the control frame goes out first, then the DATA, and nothing asserts")
  func workaroundKeepsControlFramesFirst() throws {
    let frames = try WritabilitySequence.run(installingFlushPoint: true)
    #expect(frames == [.ping, .data(bytes: WritabilitySequence.dataSize)])
  }

  #if DEBUG
    @Test("without it, swift-nio-http2 1.46.0 stops a debug process (the crash in issue 20)")
    func upstreamAssertsWithoutWorkaround() async {
      let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        _ = try WritabilitySequence.run(installingFlushPoint: false)
      }
      let output = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
      #expect(output.contains("Received flush data frames while buffering control frames"), "stderr: \(output)")
    }
  #endif
}

/// A server and a client `NIOHTTP2Handler` on two embedded channels, bytes moved by hand.
enum WritabilitySequence {
  static let dataSize = 1_000

  /// A gRPC unary request's HEADERS.
  static let unaryRequest: HPACKHeaders = [
    ":method": "POST", ":path": "/civicgrid.v1.Diagnostics/UnaryCall", ":scheme": "http",
    ":authority": "localhost", "content-type": "application/grpc",
  ]

  enum Received: Equatable {
    case ping
    case data(bytes: Int)
  }

  /// Plays the sequence and returns the frames the client received after the server's
  /// connection turned writable again.
  static func run(installingFlushPoint: Bool) throws -> [Received] {
    let server = EmbeddedChannel()
    try server.pipeline.syncOperations.addHandler(NIOHTTP2Handler(mode: .server))
    if installingFlushPoint {
      try HTTP2FlushPointBeforeWritable.install(in: server.pipeline.syncOperations)
    }
    let client = try connectedClient(to: server)
    defer {
      _ = try? server.finish(acceptAlreadyClosed: true)
      _ = try? client.finish(acceptAlreadyClosed: true)
    }

    // The client opens stream 1; the server answers with HEADERS while writable.
    let stream = HTTP2StreamID(1)
    try client.writeAndFlush(HTTP2Frame(streamID: stream, payload: .headers(.init(headers: unaryRequest)))).wait()
    try exchange(client, server)
    try server.writeAndFlush(HTTP2Frame(streamID: stream, payload: .headers(.init(headers: [":status": "200"])))).wait()
    try exchange(client, server)
    while try client.readInbound(as: HTTP2Frame.self) != nil {}

    // The socket's send buffer is over its high-water mark.
    server.isWritable = false
    server.pipeline.fireChannelWritabilityChanged()
    // DATA written and flushed: held by NIOHTTP2Handler until the channel is writable.
    let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(ByteBuffer(repeating: 0, count: Self.dataSize)))
    server.write(HTTP2Frame(streamID: stream, payload: .data(data)), promise: nil)
    server.flush()
    // A control frame written but not yet flushed (as the inline multiplexer leaves a
    // WINDOW_UPDATE until the read loop ends): buffered as a control frame.
    let ping = HTTP2Frame(streamID: .rootStream, payload: .ping(HTTP2PingData(withInteger: 20), ack: false))
    server.write(ping, promise: nil)
    // The socket drained: the connection is writable again.
    server.isWritable = true
    server.pipeline.fireChannelWritabilityChanged()
    server.flush()

    try exchange(client, server)
    var received: [Received] = []
    while let frame = try client.readInbound(as: HTTP2Frame.self) {
      switch frame.payload {
      case .ping(_, ack: false): received.append(.ping)
      case .data(let data): received.append(.data(bytes: data.data.readableBytes))
      default: break
      }
    }
    return received
  }

  /// A client `NIOHTTP2Handler` on its own embedded channel, connected to `server` with the
  /// connection preface and settings exchanged. The caller finishes both channels.
  static func connectedClient(to server: EmbeddedChannel) throws -> EmbeddedChannel {
    let client = EmbeddedChannel(handler: NIOHTTP2Handler(mode: .client))
    let address = try SocketAddress(ipAddress: "127.0.0.1", port: 1)
    try server.connect(to: address).wait()
    try client.connect(to: address).wait()
    try exchange(client, server)
    return client
  }

  /// Moves bytes both ways until neither side has anything left to send.
  static func exchange(_ client: EmbeddedChannel, _ server: EmbeddedChannel) throws {
    var moved = true
    while moved {
      moved = false
      while let bytes = try client.readOutbound(as: IOData.self) {
        try server.writeInbound(bytes.buffer)
        moved = true
      }
      while let bytes = try server.readOutbound(as: IOData.self) {
        try client.writeInbound(bytes.buffer)
        moved = true
      }
    }
  }
}

extension IOData {
  fileprivate var buffer: ByteBuffer {
    guard case .byteBuffer(let buffer) = self else { preconditionFailure("NIOHTTP2Handler writes ByteBuffers") }
    return buffer
  }
}
