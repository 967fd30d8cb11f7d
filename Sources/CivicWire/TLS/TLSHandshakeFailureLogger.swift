public import Logging
public import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind a server's `NIOSSLServerHandler` and logs why a TLS handshake was refused
/// (no client certificate, an unknown CA, an old protocol version, not TLS at all), once per
/// connection; the TLS handler closes the connection itself.
public final class TLSHandshakeFailureLogger: ChannelInboundHandler, RemovableChannelHandler, Sendable {
  public typealias InboundIn = NIOAny

  private let logger: Logger

  public init(logger: Logger) {
    self.logger = logger
  }

  public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    // After the handshake nothing more is to be learnt here.
    if case TLSUserEvent.handshakeCompleted = event {
      context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
    context.fireUserInboundEventTriggered(event)
  }

  public func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if error is NIOSSLError || error is BoringSSLError {
      self.logger.notice(
        "TLS handshake refused",
        metadata: [
          "connection.peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "unknown")",
          "tls.error": "\(error)",
        ]
      )
    }
    context.fireErrorCaught(error)
  }
}
