import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// One TLS handshake to a loopback port and nothing after it: what a listener agrees to
/// below the RPC layer (protocol version, ALPN), or why it refused.
enum TLSHandshake {
  struct Agreed: Sendable, Equatable {
    var version: TLSVersion?
    var alpn: String?
  }

  /// The version and ALPN protocol agreed, or the handshake's error.
  static func attempt(port: Int, configuration: TLSConfiguration, serverHostname: String? = nil) async -> Result<Agreed, any Error> {
    do {
      let context = try NIOSSLContext(configuration: configuration)
      let group = MultiThreadedEventLoopGroup.singleton
      let done = group.any().makePromise(of: Agreed.self)
      let channel = try await ClientBootstrap(group: group)
        .connectTimeout(.seconds(5))
        .channelInitializer { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverHostname))
            try channel.pipeline.syncOperations.addHandler(Watcher(done: done))
          }
        }
        .connect(host: "127.0.0.1", port: port).get()
      defer { channel.close(promise: nil) }
      return .success(try await done.futureResult.get())
    } catch {
      return .failure(error)
    }
  }

  private final class Watcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let done: EventLoopPromise<Agreed>

    init(done: EventLoopPromise<Agreed>) { self.done = done }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
      if case TLSUserEvent.handshakeCompleted(let alpn) = event {
        let version = try? context.channel.pipeline.syncOperations.nioSSL_tlsVersion()
        self.done.succeed(Agreed(version: version ?? nil, alpn: alpn))
      }
      context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
      self.done.fail(error)
      context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
      self.done.fail(ChannelError.eof)  // no-op after success or an error
      context.fireChannelInactive()
    }
  }
}
