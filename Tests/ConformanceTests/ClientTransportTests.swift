import CivicProtos
import CivicServer
import CivicWire
import GRPCCore
import NIOCore
import NIOPosix
import Testing

/// The CivicWire client transport's connection management: reconnection with backoff,
/// fast UNAVAILABLE while backing off, and keepalive.
@Suite("CivicWire client transport", .serialized)
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

      let started = ContinuousClock.now
      let backingOff = await #expect(throws: RPCError.self) { try await diagnostics.emptyCall(Civicgrid_V1_Empty()) }
      #expect(backingOff?.code == .unavailable)
      #expect(backingOff?.message.contains("next attempt in") == true)
      #expect(ContinuousClock.now - started < .milliseconds(200), "a call during backoff fails without trying to connect")

      let configuration = TestServer.configuration { $0.wireListen = ListenAddress(host: "127.0.0.1", port: port) }
      try await TestServer.withRunning(configuration) { _, _ in
        try await Task.sleep(for: .milliseconds(400))
        let response = try await diagnostics.emptyCall(Civicgrid_V1_Empty())
        #expect(response == Civicgrid_V1_Empty())
      }
    }
  }

  @Test("keepalive: a server that stops answering is detected and its calls fail UNAVAILABLE")
  func keepaliveDetectsSilentServer() async throws {
    let silent = try await SilentWireServer.start()
    defer { silent.close() }
    let keepalive = CivicWireClientTransport.Keepalive(interval: .milliseconds(200), timeout: .milliseconds(300))
    let transport = try CivicWireClientTransport(host: "127.0.0.1", port: silent.port, config: Self.config(keepalive: keepalive))
    try await withGRPCClient(transport: transport) { client in
      let diagnostics = Civicgrid_V1_Diagnostics.Client(wrapping: client)
      let started = ContinuousClock.now
      let error = await #expect(throws: RPCError.self) { try await diagnostics.emptyCall(Civicgrid_V1_Empty()) }
      #expect(error?.code == .unavailable)
      // Detected by keepalive (interval + timeout), well before any call deadline.
      #expect(ContinuousClock.now - started < .seconds(5))
    }
  }
}

/// A peer that completes the CivicWire handshake and then never answers anything.
struct SilentWireServer {
  let channel: any Channel
  var port: Int { self.channel.localAddress?.port ?? 0 }

  static func start() async throws -> SilentWireServer {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Handler()) }
      }
      .bind(host: "127.0.0.1", port: 0)
      .get()
    return SilentWireServer(channel: channel)
  }

  func close() { self.channel.close(promise: nil) }

  final class Handler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      guard !self.answered else { return }
      self.answered = true
      var buffer = ByteBuffer()
      FrameEncoder.writePreface(into: &buffer)
      FrameEncoder.write(.settings, streamID: 0, message: Civicgrid_Wire_V1_Settings(), into: &buffer)
      context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
    }
  }
}
