import CivicProtos
import CivicServer
import CivicWire
import CivicWireProtos
import NIOCore
import Testing

/// docs/PROTOCOL.md made exact, connection level: each test is one row of the conformance
/// table in section 8 (preface, handshake, GOAWAY in both directions, idle, error codes),
/// checked over a real socket against a real server.
@Suite("CivicWire protocol points: connection", .serialized, .timeLimit(.minutes(3)))
struct WireConnectionPointsTests {
  /// How long a read waits for the server: it bounds a broken server on a loaded machine; no
  /// test measures it.
  static let patience = 10_000

  @Test("1.1: a preface with another major version gets the server's preface, then GOAWAY UNSUPPORTED_VERSION")
  func unsupportedVersionAfterPreface() async throws {
    try await TestServer.withRunning { ports, _ in
      let socket = try RawSocket(port: ports.wire)
      socket.send(Preface.magic + [2, 0, 0, 0])
      let answer = socket.receiveAll()
      try #require(answer.count >= Preface.length)
      #expect(Array(answer.prefix(Preface.length)) == Preface.bytes, "the server's own preface comes first")
      var rest = ByteBuffer(bytes: answer.dropFirst(Preface.length))
      var decoder = FrameDecoder(maxFrameSize: 1 << 24, expectPreface: false)
      guard case .frame(let frame) = try #require(try decoder.decode(buffer: &rest)) else {
        Issue.record("no frame after the preface")
        return
      }
      #expect(frame.type == .goAway)
      let goAway = try RawWireClient.decode(Civicgrid_Wire_V1_GoAway.self, frame)
      #expect(goAway.errorCode == GoAwayCode.unsupportedVersion.rawValue)
      #expect(goAway.lastStreamID == 0)
    }
  }

  @Test("1.1: the preface is judged as soon as a byte cannot start one: a single 00 byte gets GOAWAY PROTOCOL_ERROR, not a wait")
  func prefaceJudgedOnFirstWrongByte() async throws {
    try await TestServer.withRunning { ports, _ in
      // Had the server waited for 8 bytes, the only answer would be the handshake timeout's
      // GOAWAY HANDSHAKE_TIMEOUT (10 s), not PROTOCOL_ERROR.
      let client = try RawWireClient(port: ports.wire, receiveTimeoutMillis: Self.patience)
      client.socket.send([0x00])
      let goAway = try #require(try await client.goAway())
      #expect(goAway.errorCode == GoAwayCode.protocolError.rawValue)
      #expect(goAway.message.contains("bad preface"))
    }
  }

  @Test("1.2: the handshake timeout counts from accept: bytes trickling in do not extend it; GOAWAY HANDSHAKE_TIMEOUT")
  func handshakeTimeoutIsAbsolute() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient(port: ports.wire, receiveTimeoutMillis: 500)
      var start = ByteBuffer()
      FrameEncoder.writePreface(into: &start)
      // A SETTINGS header announcing 1,000 payload bytes that never all arrive.
      start.writeMultipleIntegers(UInt32(1000), FrameType.settings.rawValue, UInt8(0), UInt16(0), UInt32(0))
      var goAway: Civicgrid_Wire_V1_GoAway?
      // One byte per receive timeout (0.5 s): the 10 s handshake timeout passes long before
      // the 1,012 bytes would.
      for byte in Array(start.readableBytesView) + [UInt8](repeating: 0, count: 1000) {
        client.socket.send([byte])
        if let found = try await client.goAway() {
          goAway = found
          break
        }
      }
      let received = try #require(goAway)
      #expect(received.errorCode == GoAwayCode.handshakeTimeout.rawValue)
      #expect(received.message == "no SETTINGS within the handshake timeout")
    }
  }

  @Test("1.2: the server does not wait for the client's SETTINGS ACK: a client that never sends one is served")
  func settingsAckNotAwaited() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      client.call(1, request: Civicgrid_V1_SimpleRequest())
      let trailers = try #require(try await client.trailers(of: 1))
      #expect(trailers.code == 0)
    }
  }

  @Test("1.2: a first frame other than SETTINGS (a PING) is a connection error PROTOCOL_ERROR")
  func firstFrameNotSettings() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient(port: ports.wire, receiveTimeoutMillis: Self.patience)
      var buffer = ByteBuffer()
      FrameEncoder.writePreface(into: &buffer)
      FrameEncoder.write(.ping, streamID: 0, message: Civicgrid_Wire_V1_Ping(), into: &buffer)
      client.socket.send(Array(buffer.readableBytesView))
      let goAway = try #require(try await client.goAway())
      #expect(goAway.errorCode == GoAwayCode.protocolError.rawValue)
      #expect(goAway.message.contains("expected SETTINGS as the first frame"))
    }
  }

  @Test("2.7: an idle connection gets GOAWAY IDLE_TIMEOUT twice (2^31-1, then the last id), then closes")
  func idleTimeoutCode() async throws {
    let configuration = TestServer.configuration { $0.idleTimeoutSeconds = 1 }
    try await TestServer.withRunning(configuration) { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: 10_000)
      let first = try #require(try await client.goAway())
      #expect(first.errorCode == GoAwayCode.idleTimeout.rawValue)
      #expect(first.lastStreamID == UInt32(Int32.max))
      let ping = try #require(try await client.frame(where: { $0.type == .ping }))
      client.send(.ping, flags: .ack, stream: 0, message: try RawWireClient.decode(Civicgrid_Wire_V1_Ping.self, ping))
      let second = try #require(try await client.goAway())
      #expect(second.errorCode == GoAwayCode.idleTimeout.rawValue)
      #expect(second.lastStreamID == 0)
      #expect(await client.closedByServer())
    }
  }

  @Test("6.1: after the client's GOAWAY the server finishes the open stream, then closes the connection")
  func clientGoAway() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      var request = Civicgrid_V1_SimpleRequest()
      request.sleepMicros = 200_000
      client.call(1, request: request)
      client.send(.goAway, stream: 0, message: Civicgrid_Wire_V1_GoAway())
      let trailers = try #require(try await client.trailers(of: 1))
      #expect(trailers.code == 0, "the open stream ran to completion")
      #expect(await client.closedByServer(), "then the server closed the connection")
    }
  }

  @Test("6.4: GOAWAY carries the highest stream id processed, refused streams included")
  func lastStreamIDIncludesRefused() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      client.call(1, request: Civicgrid_V1_SimpleRequest())
      _ = try #require(try await client.trailers(of: 1))
      client.open(3, method: "not-a-path")  // refused UNIMPLEMENTED, never run
      #expect(try await client.trailers(of: 3)?.code == UInt32(12))
      client.open(2)  // even: a connection error
      let goAway = try #require(try await client.goAway())
      #expect(goAway.errorCode == GoAwayCode.protocolError.rawValue)
      #expect(goAway.lastStreamID == 3)
    }
  }
}
