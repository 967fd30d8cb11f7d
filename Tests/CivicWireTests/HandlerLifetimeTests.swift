import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import CivicWireCore

/// A connection handler must not outlive its connection. Each holds its channel context and
/// an outbox whose drain closure points back at it; unless both are dropped when the pipeline
/// removes the handler, every closed connection stays in memory (found by ops/fuzz's leak check).
@Suite("Connection handlers are freed with their connection", .timeLimit(.minutes(1)))
struct HandlerLifetimeTests {
  static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

  @Test("a server connection's handler is freed once its channel is closed and dropped")
  func serverHandler() throws {
    weak var freed: ServerConnectionHandler?
    try {
      let handler = ServerConnectionHandler(config: .defaults, observer: .none, logger: Self.quiet, onStream: { _ in }, onClose: {})
      freed = handler
      let channel = EmbeddedChannel(handler: handler)
      try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40_000)).wait()
      try channel.writeInbound(ByteBuffer(bytes: Preface.bytes))
      _ = try channel.finish(acceptAlreadyClosed: true)
    }()
    #expect(freed == nil)
  }

  @Test("a client connection's handler is freed once its channel is closed and dropped")
  func clientHandler() throws {
    weak var freed: ClientConnectionHandler?
    try {
      let handler = ClientConnectionHandler(localSettings: .defaults, keepalive: nil, onEvent: { _ in })
      freed = handler
      let channel = EmbeddedChannel(handler: handler)
      try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40_000)).wait()
      _ = try channel.finish(acceptAlreadyClosed: true)
    }()
    #expect(freed == nil)
  }
}
