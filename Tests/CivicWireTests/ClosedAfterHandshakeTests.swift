import GRPCCore
import NIOCore
import NIOPosix
import Testing

@testable import CivicWireCore

/// A server that sends its preface and SETTINGS and closes at once: the client's handler may
/// be removed (and let go of its outbox) before `connect` picks the outbox up. That must be a
/// failed connection, not a crash (found by a whole-suite run under load).
@Suite("A connection closed right after the handshake", .timeLimit(.minutes(1)))
struct ClosedAfterHandshakeTests {
  /// Writes the server's half of the handshake, then closes.
  final class HandshakeThenClose: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
      var bytes = ByteBuffer(bytes: Preface.bytes)
      FrameEncoder.write(.settings, flags: [], streamID: 0, message: WireSettings.defaults.message, into: &bytes)
      context.writeAndFlush(NIOAny(bytes)).whenComplete { _ in context.close(promise: nil) }
    }
  }

  @Test("connect answers UNAVAILABLE or a connection that is already unusable, 200 times in a row")
  func closedRightAfterSettings() async throws {
    let group = MultiThreadedEventLoopGroup.singleton
    let server = try await ServerBootstrap(group: group)
      .childChannelInitializer { $0.pipeline.addHandler(HandshakeThenClose()) }
      .bind(host: "127.0.0.1", port: 0).get()
    defer { server.close(promise: nil) }
    let address = try #require(server.localAddress)
    var failed = 0
    var unusable = 0
    for _ in 0..<200 {
      do {
        let connection = try await ClientConnection.connect(
          settings: .defaults, keepalive: nil, timeout: .seconds(5), onUnusable: { _ in },
          connector: { initializer in
            try await ClientBootstrap(group: group).connect(to: address) { channel in initializer(channel) }
          }
        )
        // Either it already knows, or it learns on its event loop shortly.
        for _ in 0..<200 where connection.isUsable { try await Task.sleep(for: .milliseconds(5)) }
        #expect(!connection.isUsable)
        unusable += 1
      } catch let error as RPCError {
        #expect(error.code == .unavailable)
        failed += 1
      }
    }
    #expect(failed + unusable == 200)
  }
}
