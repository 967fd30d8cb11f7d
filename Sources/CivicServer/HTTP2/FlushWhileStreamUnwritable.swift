package import NIOCore
package import NIOHTTP2

/// Flushes every write made to an HTTP/2 stream that is not writable, so a unary response
/// cannot wait forever for its trailers (docs/INTEROP.md, "A unary response stuck behind its
/// own message").
///
/// grpc-swift-nio-transport 2.9.2's `GRPCServerStreamHandler` does not flush a unary
/// response's DATA until the trailers are written, and relies on the stream turning
/// unwritable to force that flush (`channelWritabilityChanged`). A stream that is already
/// unwritable when the DATA arrives (its connection was over the socket's high-water mark)
/// never sees that transition: the DATA sits unflushed in the stream channel, its bytes keep
/// the stream over swift-nio-http2's 8 KiB stream watermark after the connection drains, the
/// async writer waits for writability before it writes the trailers, and the call hangs until
/// the client's deadline. Flushing here, in front of the transport's stream handler, releases
/// the DATA; writes made while the stream is writable keep the transport's own coalescing.
package final class FlushWhileStreamUnwritable: ChannelOutboundHandler, RemovableChannelHandler {
  package typealias OutboundIn = HTTP2Frame.FramePayload
  package typealias OutboundOut = HTTP2Frame.FramePayload

  package init() {}

  package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    context.write(data, promise: promise)
    if !context.channel.isWritable {
      context.flush()
    }
  }
}
