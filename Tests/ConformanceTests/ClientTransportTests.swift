import CivicProtos
import CivicServer
import CivicWire
import CivicWireProtos
import Foundation
import GRPCCore
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The CivicWire client transport's connection management: reconnection with backoff,
/// fast UNAVAILABLE while backing off, and keepalive.
@Suite("CivicWire client transport", .serialized, .timeLimit(.minutes(5)))
struct ClientTransportTests {
  static func config(backoff: TimeAmount = .milliseconds(300), keepalive: CivicWireClientTransport.Keepalive? = nil)
    -> CivicWireClientTransport.Config
  {
    var config = CivicWireClientTransport.Config.defaults
    config.backoff = Backoff(initial: backoff, maximum: .seconds(2), multiplier: 2, jitter: 0)
    config.keepalive = keepalive
    config.connectTimeout = .seconds(2)
    return config
  }

  @Test("no server: UNAVAILABLE; while backing off: UNAVAILABLE at once; server back: the call succeeds")
  func reconnectsWithBackoff() async throws {
    // Find a free port by binding and releasing it.
    let port = try await TestServer.withRunning { ports, _ in ports.wire }
    let transport = try CivicWireClientTransport(host: "127.0.0.1", port: port, config: Self.config())
    try await withGRPCClient(transport: transport) { client in
      let diagnostics = Civicgrid_V1_Diagnostics.Client(wrapping: client)
      let refused = await #expect(throws: RPCError.self) { try await diagnostics.emptyCall(Civicgrid_V1_Empty()) }
      #expect(refused?.code == .unavailable)

      // "next attempt in" comes only from the backing-off state, which fails the call
      // without trying to connect (an attempt would fail with the connect error instead).
      let backingOff = await #expect(throws: RPCError.self) { try await diagnostics.emptyCall(Civicgrid_V1_Empty()) }
      #expect(backingOff?.code == .unavailable)
      #expect(backingOff?.message.contains("next attempt in") == true)

      let configuration = TestServer.configuration { $0.wireListen = ListenAddress(host: "127.0.0.1", port: port) }
      try await TestServer.withRunning(configuration) { _, _ in
        // Wait for the event itself: the transport says when its next attempt is due; until
        // then every call fails at once, and the first call after it connects.
        var attempts = 0
        while true {
          attempts += 1
          do {
            let response = try await diagnostics.emptyCall(Civicgrid_V1_Empty())
            #expect(response == Civicgrid_V1_Empty())
            break
          } catch let error as RPCError {
            let wait = try #require(Self.nextAttemptMillis(error), "only the backoff may fail a call now: \(error)")
            try #require(attempts < 20, "the backoff never ended")
            try await Task.sleep(for: .milliseconds(wait + 1))
          }
        }
      }
    }
  }

  /// The delay a backing-off transport announces in its UNAVAILABLE message, if it is one.
  static func nextAttemptMillis(_ error: RPCError) -> Int? {
    guard error.code == .unavailable, let range = error.message.range(of: "next attempt in ") else { return nil }
    return Int(error.message[range.upperBound...].prefix { $0.isNumber })
  }

  @Test("keepalive: a server that stops answering is detected and its calls fail UNAVAILABLE")
  func keepaliveDetectsSilentServer() async throws {
    let silent = try await SilentWireServer.start()
    defer { silent.close() }
    let keepalive = CivicWireClientTransport.Keepalive(interval: .milliseconds(200), timeout: .milliseconds(300))
    let transport = try CivicWireClientTransport(host: "127.0.0.1", port: silent.port, config: Self.config(keepalive: keepalive))
    try await withGRPCClient(transport: transport) { client in
      let diagnostics = Civicgrid_V1_Diagnostics.Client(wrapping: client)
      // The call has no deadline and the silent server never closes: only the client's
      // keepalive (no PING ACK within its timeout) can end it, by closing the connection.
      let error = await #expect(throws: RPCError.self) { try await diagnostics.emptyCall(Civicgrid_V1_Empty()) }
      #expect(error?.code == .unavailable)
      #expect(error?.message == "the connection to the server closed")
      #expect(silent.pingsReceived() >= 1, "the client sent a keepalive PING")
    }
  }
}

/// A peer that completes the CivicWire handshake and then never answers anything; it counts
/// the PINGs it receives (and leaves unanswered).
struct SilentWireServer {
  let channel: any Channel
  let pings: Counter
  var port: Int { self.channel.localAddress?.port ?? 0 }

  static func start() async throws -> SilentWireServer {
    let pings = Counter()
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler(pings: pings)) }
      }
      .bind(host: "127.0.0.1", port: 0)
      .get()
    return SilentWireServer(channel: channel, pings: pings)
  }

  func pingsReceived() -> Int { self.pings.value.withLock { $0 } }

  final class Counter: Sendable {
    let value = Mutex(0)
  }

  func close() { self.channel.close(promise: nil) }

  final class Handler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var answered = false
    private var decoder = NIOSingleStepByteToMessageProcessor(FrameDecoder(maxFrameSize: 1 << 24))
    private let pings: Counter

    init(pings: Counter) { self.pings = pings }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      try? self.decoder.process(buffer: self.unwrapInboundIn(data)) { input in
        if case .frame(let frame) = input, frame.type == .ping, !frame.flags.contains(.ack) {
          self.pings.value.withLock { $0 += 1 }
        }
      }
      guard !self.answered else { return }
      self.answered = true
      var buffer = ByteBuffer()
      FrameEncoder.writePreface(into: &buffer)
      FrameEncoder.write(.settings, streamID: 0, message: Civicgrid_Wire_V1_Settings(), into: &buffer)
      context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
    }
  }
}
