package import NIOCore
internal import NIOHTTP2

/// Gives swift-nio-http2's `NIOHTTP2Handler` a flush point before it learns that the
/// connection became writable again (docs/INTEROP.md, "The HTTP/2 writability assertion").
///
/// `NIOHTTP2Handler` (swift-nio-http2 1.46.0) buffers control frames (HEADERS,
/// WINDOW_UPDATE, PING, RST_STREAM, …) while the channel is not writable and releases them
/// only once a flush has marked them. Its `channelWritabilityChanged` unbuffers without
/// marking first, so when the channel turns writable between a control-frame write and its
/// flush (the inline multiplexer defers stream flushes to the end of the read loop, and a
/// socket flush inside that loop fires the writability change synchronously), flushed DATA
/// overtakes the unflushed control frames and `ControlFrameBuffer.processOutboundFrame`
/// asserts ("Received flush data frames while buffering control frames"). With asserts
/// compiled out, DATA goes out ahead of control frames the handler meant to keep in front.
///
/// The fix is configuration, not a patched package: one handler in front of
/// `NIOHTTP2Handler` sees the writability change first and, when the channel became
/// writable, sends a flush into `NIOHTTP2Handler` (through a second handler placed behind
/// it) before passing the event on. The flush marks every buffered frame, exactly as
/// `flush()` and `channelReadComplete()` already do before they unbuffer.
package enum HTTP2FlushPointBeforeWritable {
  /// Adds the two handlers around the connection channel's `NIOHTTP2Handler`.
  package static func install(in pipeline: ChannelPipeline.SynchronousOperations) throws {
    let http2 = try pipeline.context(handlerType: NIOHTTP2Handler.self).handler
    let flushPoint = FlushPointHandler()
    try pipeline.addHandler(flushPoint, position: .after(http2))
    try pipeline.addHandler(WritabilityHandler(flushPoint: flushPoint), position: .before(http2))
  }

  /// Behind `NIOHTTP2Handler`: its context's `flush()` is a flush into `NIOHTTP2Handler`.
  final class FlushPointHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Flushes whatever has been written to `NIOHTTP2Handler` so far.
    func flushIntoHTTP2Handler() { self.context?.flush() }
  }

  /// In front of `NIOHTTP2Handler`: sees writability changes before it does.
  final class WritabilityHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let flushPoint: FlushPointHandler

    init(flushPoint: FlushPointHandler) { self.flushPoint = flushPoint }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
      if context.channel.isWritable {
        self.flushPoint.flushIntoHTTP2Handler()
      }
      context.fireChannelWritabilityChanged()
    }
  }
}
