import CivicWireProtos
import GRPCCore
import NIOCore
import NIOEmbedded
import Testing

@testable import CivicWireCore

@Suite("Server connection handler (EmbeddedChannel)", .timeLimit(.minutes(1)))
struct ServerConnectionHandlerTests {
  func trailers(_ frame: Frame) throws -> Civicgrid_Wire_V1_Trailers {
    #expect(frame.type == .trailers)
    return try EmbeddedWirePeer.decode(Civicgrid_Wire_V1_Trailers.self, frame)
  }

  func goAway(in frames: [Frame]) throws -> Civicgrid_Wire_V1_GoAway? {
    guard let frame = frames.first(where: { $0.type == .goAway }) else { return nil }
    return try EmbeddedWirePeer.decode(Civicgrid_Wire_V1_GoAway.self, frame)
  }

  @Test("handshake: the server answers the preface with its preface, SETTINGS and an ACK")
  func handshake() throws {
    let peer = try EmbeddedWirePeer()
    let settings = try peer.handshake()
    #expect(settings.maxConcurrentStreams == 100)
    #expect(settings.maxMessageSize == 4 * 1024 * 1024)
    #expect(settings.maxMetadataSize == 8192)
  }

  @Test("a unary call: request parts reach the stream, response frames reach the wire")
  func unaryRoundTrip() async throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    try peer.open(1, metadata: [("x-civic-initial", "hello")])
    try peer.send(.message, stream: 1, payload: [1, 2, 3])
    try peer.send(.halfClose, stream: 1)
    let stream = try #require(peer.streams.first)
    #expect(stream.descriptor.fullyQualifiedMethod == "civicgrid.v1.Diagnostics/EmptyCall")

    var parts: [RPCRequestPart<WireBytes>] = []
    for try await part in stream.inbound { parts.append(part) }
    #expect(parts.count == 2)
    if case .metadata(let metadata) = parts[0] {
      #expect(Array(metadata[stringValues: "x-civic-initial"]) == ["hello"])
    } else {
      Issue.record("first part is not metadata")
    }
    #expect(parts[1] == .message(WireBytes([1, 2, 3])))

    let writer = stream.writer
    try await writer.write(.metadata(["k": "v"]))
    try await writer.write(.message(WireBytes([9])))
    try await writer.write(.status(Status(code: .ok, message: ""), [:]))
    await writer.finish()
    let frames = try peer.readFrames()
    #expect(frames.map(\.type) == [.headers, .message, .trailers])
    #expect(Array(frames[1].payload.readableBytesView) == [9])
    #expect(try self.trailers(frames[2]).code == 0)
  }

  @Test("max concurrent streams: the stream beyond the limit gets RESOURCE_EXHAUSTED, others carry on")
  func maxConcurrentStreams() throws {
    var config = CivicWireServerConfig.defaults
    config.settings.maxConcurrentStreams = 2
    let peer = try EmbeddedWirePeer(config: config)
    try peer.handshake()
    try peer.open(1)
    try peer.open(3)
    try peer.open(5)
    let frames = try peer.readFrames()
    #expect(frames.count == 1)
    #expect(frames[0].streamID == 5)
    let trailers = try self.trailers(frames[0])
    #expect(trailers.code == 8)
    #expect(trailers.message.contains("too many concurrent streams"))
    #expect(peer.streams.count == 2)
    #expect(peer.channel.isActive)
  }

  @Test("metadata above 8 KiB is refused with RESOURCE_EXHAUSTED")
  func metadataLimit() throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    try peer.open(1, metadata: [("x-big", String(repeating: "a", count: 9000))])
    let frames = try peer.readFrames()
    #expect(try self.trailers(try #require(frames.first)).code == 8)
    #expect(peer.streams.isEmpty)
  }

  @Test("a message above max_message_size fails its stream once the fragments exceed it")
  func messageLimit() async throws {
    var config = CivicWireServerConfig.defaults
    config.settings.maxMessageSize = 1024
    let peer = try EmbeddedWirePeer(config: config)
    try peer.handshake()
    try peer.open(1)
    try peer.send(.message, flags: .more, stream: 1, payload: Array(repeating: 1, count: 1000))
    // A fragment is granted back at once, so messages larger than the window can complete.
    #expect(try peer.readFrames().map(\.type) == [.windowUpdate])
    try peer.send(.message, stream: 1, payload: Array(repeating: 1, count: 100))
    let frames = try peer.readFrames()
    let trailers = try self.trailers(try #require(frames.first))
    #expect(trailers.code == 8)
    #expect(trailers.message.contains("larger than 1024"))
    // The handler sees the stream end with the same error.
    let stream = try #require(peer.streams.first)
    let error = await #expect(throws: RPCError.self) {
      for try await _ in stream.inbound {}
    }
    #expect(error?.code == .resourceExhausted)
    #expect(stream.isClosed)
  }

  @Test("flow control: sending past the window fails the stream; consuming re-opens it")
  func flowControl() async throws {
    var config = CivicWireServerConfig.defaults
    config.settings.initialWindowSize = 1024
    let peer = try EmbeddedWirePeer(config: config)
    try peer.handshake()

    try peer.open(1)
    try peer.send(.message, stream: 1, payload: Array(repeating: 1, count: 600))
    let stream = try #require(peer.streams.first)
    var iterator = stream.inbound.makeAsyncIterator()
    _ = try await iterator.next()  // metadata
    _ = try await iterator.next()  // the 600-byte message: past half the window
    let updates = try peer.readFrames()
    #expect(updates.map(\.type) == [.windowUpdate])
    #expect(try EmbeddedWirePeer.decode(Civicgrid_Wire_V1_WindowUpdate.self, updates[0]).increment == 600)

    try peer.open(3)
    try peer.send(.message, stream: 3, payload: Array(repeating: 1, count: 1000))
    try peer.send(.message, stream: 3, payload: Array(repeating: 1, count: 100))
    let frames = try peer.readFrames()
    #expect(frames.first?.streamID == 3)
    let trailers = try self.trailers(try #require(frames.first))
    #expect(trailers.code == 8)
    #expect(trailers.message.contains("flow-control window"))
  }

  @Test(
    "stream-id misuse is a connection PROTOCOL_ERROR",
    arguments: [
      ([UInt32(2)], "even id"),
      ([UInt32(5), 3], "decreasing id"),
      ([UInt32(1), 1], "reused id"),
    ]
  )
  func streamIDMisuse(ids: [UInt32], _ label: String) throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    for id in ids { try peer.open(id) }
    let goAway = try #require(try self.goAway(in: try peer.readFrames()))
    #expect(goAway.errorCode == GoAwayCode.protocolError.rawValue)
    #expect(!peer.channel.isActive)
  }

  @Test("a MESSAGE on a stream never opened is a PROTOCOL_ERROR; one on a finished stream is ignored")
  func unopenedStream() throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    try peer.open(1)
    try peer.send(.cancel, stream: 1)
    try peer.send(.message, stream: 1, payload: [1])
    #expect(try peer.readFrames().isEmpty)
    try peer.send(.message, stream: 7, payload: [1])
    let goAway = try #require(try self.goAway(in: try peer.readFrames()))
    #expect(goAway.errorCode == GoAwayCode.protocolError.rawValue)
  }

  @Test("a CANCEL ends the stream: the handler's reads fail with CANCELLED")
  func cancel() async throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    try peer.open(1)
    try peer.send(.cancel, stream: 1)
    let stream = try #require(peer.streams.first)
    #expect(stream.isClosed)
    let error = await #expect(throws: RPCError.self) {
      for try await _ in stream.inbound {}
    }
    #expect(error?.code == .cancelled)
  }

  @Test("PING is acknowledged with the same opaque value; a ping flood gets ENHANCE_YOUR_CALM")
  func pings() throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    var ping = Civicgrid_Wire_V1_Ping()
    ping.opaque = 0xDEAD_BEEF
    try peer.send(.ping, stream: 0, message: ping)
    let ack = try #require(try peer.readFrames().first)
    #expect(ack.type == .ping && ack.flags.contains(.ack))
    #expect(try EmbeddedWirePeer.decode(Civicgrid_Wire_V1_Ping.self, ack).opaque == 0xDEAD_BEEF)

    for _ in 0..<3 { try peer.send(.ping, stream: 0, message: ping) }
    let goAway = try #require(try self.goAway(in: try peer.readFrames()))
    #expect(goAway.errorCode == GoAwayCode.enhanceYourCalm.rawValue)
    #expect(!peer.channel.isActive)
  }

  @Test("more cancels than the flood limit close the connection with ENHANCE_YOUR_CALM")
  func cancelFlood() throws {
    var config = CivicWireServerConfig.defaults
    config.cancelFloodLimit = 3
    let peer = try EmbeddedWirePeer(config: config)
    try peer.handshake()
    for id in stride(from: UInt32(1), through: 7, by: 2) {
      try peer.open(id)
      try peer.send(.cancel, stream: id)
    }
    let goAway = try #require(try self.goAway(in: try peer.readFrames()))
    #expect(goAway.errorCode == GoAwayCode.enhanceYourCalm.rawValue)
  }

  @Test("no preface within the handshake timeout: GOAWAY HANDSHAKE_TIMEOUT and close")
  func handshakeTimeout() throws {
    let peer = try EmbeddedWirePeer()
    peer.channel.embeddedEventLoop.advanceTime(by: .seconds(11))
    let frames = try peer.readFrames()
    let goAway = try #require(try self.goAway(in: frames))
    #expect(goAway.errorCode == GoAwayCode.handshakeTimeout.rawValue)
    #expect(!peer.channel.isActive)
  }

  @Test("an idle connection is drained with two GOAWAYs IDLE_TIMEOUT, then closed")
  func idleDrain() throws {
    var config = CivicWireServerConfig.defaults
    config.idleTimeout = .seconds(1)
    let peer = try EmbeddedWirePeer(config: config)
    try peer.handshake()
    try peer.open(1)
    try peer.send(.cancel, stream: 1)
    peer.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1500))
    let first = try peer.readFrames()
    #expect(first.map(\.type) == [.goAway, .ping])
    let announce = try EmbeddedWirePeer.decode(Civicgrid_Wire_V1_GoAway.self, first[0])
    #expect(announce.lastStreamID == UInt32(Int32.max))
    #expect(announce.errorCode == GoAwayCode.idleTimeout.rawValue)
    let ping = try EmbeddedWirePeer.decode(Civicgrid_Wire_V1_Ping.self, first[1])
    try peer.send(.ping, flags: .ack, stream: 0, message: ping)
    let second = try peer.readFrames()
    let goAway = try #require(try self.goAway(in: second))
    #expect(goAway.lastStreamID == 1)
    #expect(goAway.errorCode == GoAwayCode.idleTimeout.rawValue)
    #expect(!peer.channel.isActive)
  }

  @Test("the server's deadline fires DEADLINE_EXCEEDED and cancels the stream")
  func deadline() throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    try peer.open(1, timeoutMicros: 5_000)
    peer.channel.embeddedEventLoop.advanceTime(by: .milliseconds(6))
    let frames = try peer.readFrames()
    let trailers = try self.trailers(try #require(frames.first))
    #expect(trailers.code == 4)
    #expect(try #require(peer.streams.first).isClosed)
  }

  @Test("an HTTP request gets an HTTP 400 saying the port speaks CivicWire")
  func httpRequest() throws {
    let peer = try EmbeddedWirePeer()
    try peer.sendRaw(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    let text = try peer.readRawText()
    #expect(text.hasPrefix("HTTP/1.1 400 Bad Request"))
    #expect(text.contains("CivicWire"))
    #expect(!peer.channel.isActive)
  }

  @Test("a TLS ClientHello gets a GOAWAY naming it")
  func tlsHello() throws {
    let peer = try EmbeddedWirePeer()
    try peer.sendRaw([0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03])
    let goAway = try #require(try self.goAway(in: try peer.readFrames()))
    #expect(goAway.errorCode == GoAwayCode.protocolError.rawValue)
    #expect(goAway.message.contains("TLS"))
  }

  @Test("a second SETTINGS, or a first frame that is not SETTINGS, is a PROTOCOL_ERROR")
  func settingsRules() throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    try peer.send(.settings, stream: 0, message: Civicgrid_Wire_V1_Settings())
    #expect(try self.goAway(in: try peer.readFrames())?.errorCode == GoAwayCode.protocolError.rawValue)

    let early = try EmbeddedWirePeer()
    try early.sendRaw(Preface.bytes)
    try early.open(1)
    let frames = try early.readFrames()
    #expect(try self.goAway(in: frames)?.errorCode == GoAwayCode.protocolError.rawValue)
  }

  @Test("a malformed method path is answered UNIMPLEMENTED without opening a stream")
  func badPath() throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    try peer.open(1, method: "no-slashes")
    #expect(try self.trailers(try #require(try peer.readFrames().first)).code == 12)
    #expect(peer.streams.isEmpty)
  }

  @Test("an invalid metadata key fails the stream with INTERNAL")
  func badMetadataKey() throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    try peer.open(1, metadata: [("Bad Key", "x")])
    let trailers = try self.trailers(try #require(try peer.readFrames().first))
    #expect(trailers.code == 13)
    #expect(trailers.message.contains("invalid metadata key"))
  }

  @Test("an undecodable control payload is a PROTOCOL_ERROR")
  func garbageControlPayload() throws {
    let peer = try EmbeddedWirePeer()
    try peer.handshake()
    try peer.send(.headers, stream: 1, payload: [0xFF, 0xFF, 0xFF])
    #expect(try self.goAway(in: try peer.readFrames())?.errorCode == GoAwayCode.protocolError.rawValue)
  }
}
