import CivicServer
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

/// The sequence behind the interop stall of `concurrent_large_unary` (docs/INTEROP.md, "A
/// unary response stuck behind its own message"), played on swift-nio-http2's real inline
/// multiplexer and stream channels: a unary response's DATA is written, unflushed, to a
/// stream that is already unwritable because its connection is; the connection drains; the
/// DATA's bytes keep the stream over its 8 KiB watermark, so it never turns writable and
/// the trailers are never written. `UnaryResponsePolicy` plays grpc-swift-nio-transport's
/// part (it is package-internal there): no flush of a unary message before its trailers, a
/// forced flush only when the stream turns unwritable, and the trailers written once the
/// stream is writable (as its async writer resumes).
@Suite("HTTP/2: a write to an unwritable stream is flushed", .serialized, .timeLimit(.minutes(2)))
struct HTTP2UnwritableStreamFlushTests {
  @Test("with FlushWhileStreamUnwritable the message and the trailers reach the client")
  func responseCompletes() throws {
    let received = try UnwritableStreamSequence.run(installingFlush: true)
    #expect(received == .init(dataBytes: UnwritableStreamSequence.messageSize, trailers: true))
  }

  @Test("without it the response never leaves the server (the stall it fixes)")
  func responseHangsWithoutTheFlush() throws {
    let received = try UnwritableStreamSequence.run(installingFlush: false)
    #expect(received == .init(dataBytes: 0, trailers: false))
  }

  @Test("a write to a writable stream is left for the transport to flush")
  func writableStreamKeepsCoalescing() throws {
    let channel = EmbeddedChannel(handler: FlushWhileStreamUnwritable())
    defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
    let headers = HTTP2Frame.FramePayload.headers(.init(headers: [":status": "200"]))
    channel.write(headers, promise: nil)
    #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil)

    channel.isWritable = false
    channel.write(headers, promise: nil)
    // Both writes went out with the one flush made for the second.
    #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) != nil)
    #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) != nil)
  }
}

/// A server `NIOHTTP2Handler` with an inline multiplexer and a client `NIOHTTP2Handler`, on
/// two embedded channels, bytes moved by hand.
enum UnwritableStreamSequence {
  /// Over the stream channel's 8,196-byte high watermark, under the 65,535-byte window.
  static let messageSize = 20_000

  /// What the client received after the connection drained (DATA arrives in frames of at
  /// most 16 KiB, so its bytes are summed).
  struct Received: Equatable {
    var dataBytes = 0
    var trailers = false
  }

  static func run(installingFlush: Bool) throws -> Received {
    let server = EmbeddedChannel()
    let responder = NIOLoopBoundBox<UnaryResponsePolicy?>(nil, eventLoop: server.embeddedEventLoop)
    let http2 = NIOHTTP2Handler(mode: .server, eventLoop: server.embeddedEventLoop) { stream in
      do {
        if installingFlush {
          try stream.pipeline.syncOperations.addHandler(FlushWhileStreamUnwritable())
        }
        let policy = UnaryResponsePolicy(messageSize: Self.messageSize)
        try stream.pipeline.syncOperations.addHandler(policy)
        responder.value = policy
        return stream.eventLoop.makeSucceededVoidFuture()
      } catch {
        return stream.eventLoop.makeFailedFuture(error)
      }
    }
    try server.pipeline.syncOperations.addHandler(http2)
    let client = try WritabilitySequence.connectedClient(to: server)
    defer {
      _ = try? server.finish(acceptAlreadyClosed: true)
      _ = try? client.finish(acceptAlreadyClosed: true)
    }

    // The client sends a whole unary request; the server answers with its headers.
    let stream = HTTP2StreamID(1)
    let request = HTTP2Frame.FramePayload.Headers(headers: WritabilitySequence.unaryRequest, endStream: true)
    try client.writeAndFlush(HTTP2Frame(streamID: stream, payload: .headers(request))).wait()
    try WritabilitySequence.exchange(client, server)
    while try client.readInbound(as: HTTP2Frame.self) != nil {}
    let policy = try #require(responder.value)

    // The socket's send buffer is over its high-water mark: the stream is unwritable too.
    server.isWritable = false
    server.pipeline.fireChannelWritabilityChanged()
    // The handler's message arrives now (its writer saw the stream writable a moment ago).
    policy.writeMessage()
    // The socket drains.
    server.isWritable = true
    server.pipeline.fireChannelWritabilityChanged()

    try WritabilitySequence.exchange(client, server)
    var received = Received()
    while let frame = try client.readInbound(as: HTTP2Frame.self) {
      switch frame.payload {
      case .data(let data): received.dataBytes += data.data.readableBytes
      case .headers(let headers) where headers.endStream: received.trailers = true
      default: break
      }
    }
    return received
  }
}

/// grpc-swift-nio-transport's server-side behaviour for a unary response, reduced to the
/// three rules that matter here.
final class UnaryResponsePolicy: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias OutboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private let messageSize: Int
  private var context: ChannelHandlerContext?
  private var wroteMessage = false
  private var wroteTrailers = false

  init(messageSize: Int) { self.messageSize = messageSize }

  func handlerAdded(context: ChannelHandlerContext) { self.context = context }
  func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    if case .headers = self.unwrapInboundIn(data) {
      context.writeAndFlush(self.wrapOutboundOut(.headers(.init(headers: [":status": "200"]))), promise: nil)
    }
  }

  /// The message, not flushed: a unary response waits for its trailers.
  func writeMessage() {
    guard let context = self.context else { return }
    self.wroteMessage = true
    let body = ByteBuffer(repeating: 0, count: self.messageSize)
    context.write(self.wrapOutboundOut(.data(.init(data: .byteBuffer(body)))), promise: nil)
  }

  func channelWritabilityChanged(context: ChannelHandlerContext) {
    if !context.channel.isWritable {
      context.flush()  // the forced flush when the stream turns unwritable
    } else if self.wroteMessage && !self.wroteTrailers {
      // The async writer resumes and writes the status.
      self.wroteTrailers = true
      context.writeAndFlush(self.wrapOutboundOut(.headers(.init(headers: ["grpc-status": "0"], endStream: true))), promise: nil)
    }
    context.fireChannelWritabilityChanged()
  }
}
