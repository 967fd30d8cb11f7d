internal import NIOCore
internal import NIOHPACK
internal import NIOHTTP2

/// Answers a request message over the size limit with RESOURCE_EXHAUSTED in trailers,
/// on each HTTP/2 stream, in front of grpc-swift-nio-transport's stream handler.
///
/// grpc-swift-nio-transport 2.9.2 checks the limit too (`GRPCMessageDecoder.swift:64`,
/// RESOURCE_EXHAUSTED), but its stream state machine turns that error into INTERNAL
/// "Failed to decode message" (`GRPCStreamStateMachine.swift:2029-2033` and `:2049-2053`)
/// and its stream handler then fires the error and closes the stream
/// (`GRPCServerStreamHandler.swift:139-141`): the client sees RST_STREAM(CANCEL), reported
/// as CANCELLED. This handler sees the message's length prefix first, so the transport's
/// own check never trips: it drops the message, sends the status (trailers-only when no
/// response headers went out yet) with END_STREAM, and resets the stream with NO_ERROR, as
/// RFC 9113 section 8.1 allows once the response is complete. The RPC behind it is
/// cancelled when the stream closes; whatever it still writes is dropped here.
final class RequestSizeLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTP2Frame.FramePayload
  typealias InboundOut = HTTP2Frame.FramePayload
  typealias OutboundIn = HTTP2Frame.FramePayload
  typealias OutboundOut = HTTP2Frame.FramePayload

  private var scanner: GRPCMessageLengthScanner
  private var sentResponseHeaders = false
  private var rejected = false

  init(limit: Int) {
    self.scanner = GRPCMessageLengthScanner(limit: limit)
  }

  /// The status message; it names the limit.
  static func message(length: Int, limit: Int) -> String {
    "request message of \(length) bytes exceeds the server's limit of \(limit) bytes (max_message_size)"
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    guard !self.rejected else { return }
    let payload = self.unwrapInboundIn(data)
    if case .data(let data) = payload, case .byteBuffer(let bytes) = data.data,
      let length = self.scanner.scan(bytes)
    {
      self.reject(context: context, length: length)
      return
    }
    context.fireChannelRead(data)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    guard !self.rejected else {
      promise?.fail(ChannelError.ioOnClosedChannel)
      return
    }
    if case .headers = self.unwrapOutboundIn(data) { self.sentResponseHeaders = true }
    context.write(data, promise: promise)
  }

  private func reject(context: ChannelHandlerContext, length: Int) {
    self.rejected = true
    var trailers = HPACKHeaders()
    if !self.sentResponseHeaders {
      trailers.add(name: ":status", value: "200")
      trailers.add(name: "content-type", value: "application/grpc")
    }
    trailers.add(name: "grpc-status", value: "8")  // RESOURCE_EXHAUSTED
    trailers.add(name: "grpc-message", value: Self.percentEncoded(Self.message(length: length, limit: self.scanner.limit)))
    context.write(self.wrapOutboundOut(.headers(.init(headers: trailers, endStream: true))), promise: nil)
    context.writeAndFlush(self.wrapOutboundOut(.rstStream(.noError)), promise: nil)
  }

  /// gRPC's percent-encoding of grpc-message: bytes outside 0x20...0x7E, and '%'.
  static func percentEncoded(_ text: String) -> String {
    var encoded = ""
    for byte in text.utf8 {
      if (0x20...0x7E).contains(byte) && byte != UInt8(ascii: "%") {
        encoded.unicodeScalars.append(Unicode.Scalar(byte))
      } else {
        encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return encoded
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - self.count)) + self
  }
}
