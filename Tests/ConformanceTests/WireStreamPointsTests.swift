import CivicProtos
import CivicServer
import CivicWire
import CivicWireProtos
import NIOCore
import SwiftProtobuf
import Testing

/// docs/PROTOCOL.md made exact, stream level: each test is one row of the conformance table
/// in section 8 (stream ids, unary message counts, PING strikes, the CANCEL flood, `peer`,
/// the memory bound of flow control), checked over a real socket against a real server.
@Suite("CivicWire protocol points: streams", .serialized, .timeLimit(.minutes(3)))
struct WireStreamPointsTests {
  static let unary = "/civicgrid.v1.Diagnostics/UnaryCall"
  /// How long a read waits for the server: it bounds a broken server on a loaded machine; no
  /// test measures it.
  static let patience = 10_000

  @Test("3.1: a second HEADERS on an open stream is a connection error PROTOCOL_ERROR")
  func secondHeaders() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      client.open(1)
      client.open(1)
      let goAway = try #require(try await client.goAway())
      #expect(goAway.errorCode == GoAwayCode.protocolError.rawValue)
      #expect(goAway.lastStreamID == 1)
    }
  }

  @Test("2: the reserved top bit of a stream id is ignored on receipt: 0x80000001 is stream 1")
  func reservedStreamBit() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      var headers = Civicgrid_Wire_V1_Headers()
      headers.method = Self.unary
      var buffer = ByteBuffer()
      let marked: UInt32 = 0x8000_0001
      FrameEncoder.write(.headers, streamID: marked, message: headers, into: &buffer)
      FrameEncoder.write(.message, streamID: marked, message: Civicgrid_V1_SimpleRequest(), into: &buffer)
      FrameEncoder.write(.halfClose, streamID: marked, into: &buffer)
      client.socket.send(Array(buffer.readableBytesView))
      #expect(try await client.trailers(of: 1)?.code == 0)
    }
  }

  @Test("3.1: skipped stream ids are closed: frames on them are ignored, HEADERS on them is PROTOCOL_ERROR")
  func skippedIDsAreClosed() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      client.call(5, request: Civicgrid_V1_SimpleRequest())
      #expect(try await client.trailers(of: 5)?.code == 0)
      client.send(.message, stream: 3, payload: [1, 2, 3])
      client.send(.ping, stream: 0, message: Civicgrid_Wire_V1_Ping())
      // Frames are handled in order: had the MESSAGE been an error, its GOAWAY would come first.
      var before: [FrameType] = []
      while let frame = try await client.frame(), !(frame.type == .ping && frame.flags.contains(.ack)) { before.append(frame.type) }
      #expect(!before.contains(.goAway), "a MESSAGE on skipped stream 3 is ignored")
      client.open(3)
      let goAway = try #require(try await client.goAway())
      #expect(goAway.errorCode == GoAwayCode.protocolError.rawValue)
      #expect(goAway.lastStreamID == 5)
    }
  }

  @Test("3.3: a unary call with no request message, or with two, ends INTERNAL; the connection carries on")
  func unaryMessageCount() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      client.open(1)
      client.send(.halfClose, stream: 1)
      let none = try #require(try await client.trailers(of: 1))
      #expect(none.code == UInt32(13), "no message: \(none.message)")
      client.open(3)
      client.send(.message, stream: 3, message: Civicgrid_V1_SimpleRequest())
      client.send(.message, stream: 3, message: Civicgrid_V1_SimpleRequest())
      client.send(.halfClose, stream: 3)
      let two = try #require(try await client.trailers(of: 3))
      #expect(two.code == UInt32(13), "two messages: \(two.message)")
      client.call(5, request: Civicgrid_V1_SimpleRequest())
      #expect(try await client.trailers(of: 5)?.code == 0)
    }
  }

  @Test("6.2: PING strikes: the first PING is free, each one sooner than 1 s after the previous is a strike, a new stream resets the count; the third strike is ENHANCE_YOUR_CALM")
  func pingStrikes() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      // One write, so all arrive well within min_ping_interval: 0, 1, 2 strikes; a stream
      // (refused, but its HEADERS were accepted) resets to 0; then 1, 2, 3 strikes.
      var buffer = ByteBuffer()
      for opaque in UInt64(1)...3 { Self.ping(opaque, into: &buffer) }
      var headers = Civicgrid_Wire_V1_Headers()
      headers.method = "bad"
      FrameEncoder.write(.headers, streamID: 1, message: headers, into: &buffer)
      for opaque in UInt64(4)...6 { Self.ping(opaque, into: &buffer) }
      client.socket.send(Array(buffer.readableBytesView))
      var acked: [UInt64] = []
      var goAway: Civicgrid_Wire_V1_GoAway?
      while let frame = try await client.frame() {
        if frame.type == .ping { acked.append(try RawWireClient.decode(Civicgrid_Wire_V1_Ping.self, frame).opaque) }
        if frame.type == .goAway {
          goAway = try RawWireClient.decode(Civicgrid_Wire_V1_GoAway.self, frame)
          break
        }
      }
      #expect(acked == [1, 2, 3, 4, 5], "the sixth PING is the third strike after the reset")
      #expect(goAway?.errorCode == GoAwayCode.enhanceYourCalm.rawValue)
    }
  }

  @Test("6.3: the CANCEL flood counts only cancels of running streams: 1,001 of refused streams pass, 1,001 of running ones are ENHANCE_YOUR_CALM")
  func cancelFlood() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: 10_000)
      var refused = ByteBuffer()
      var id: UInt32 = 1
      for _ in 0...1000 {
        Self.headersAndCancel(id, method: "bad", into: &refused)
        id += 2
      }
      Self.ping(7, into: &refused)
      client.socket.send(Array(refused.readableBytesView))
      var before: [FrameType] = []
      while let frame = try await client.frame(), frame.type != .ping { before.append(frame.type) }
      #expect(!before.contains(.goAway), "cancels of streams that never ran are not counted")

      var running = ByteBuffer()
      for _ in 0...1000 {
        Self.headersAndCancel(id, method: Self.unary, into: &running)
        id += 2
      }
      client.socket.send(Array(running.readableBytesView))
      let goAway = try #require(try await client.goAway())
      #expect(goAway.errorCode == GoAwayCode.enhanceYourCalm.rawValue)
      #expect(goAway.message.contains("cancel flood"))
    }
  }

  @Test("7: peer is ipv4:ADDRESS:PORT of the client's socket")
  func peerFormat() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      client.call(1, request: Civicgrid_V1_SimpleRequest())
      let message = try #require(try await client.frame(where: { $0.type == .message && $0.streamID == 1 }))
      let response = try RawWireClient.decode(Civicgrid_V1_SimpleResponse.self, message)
      #expect(response.peer == "ipv4:127.0.0.1:\(client.socket.localPort)")
    }
  }

  @Test("5: 2 MB sent against a 256 KiB window to a stream nobody reads: the server stops granting within max_message_size + 2 × window")
  func memoryBound() async throws {
    let maxMessage = 256 * 1024
    let window = WireSettings.defaults.initialWindowSize
    let configuration = TestServer.configuration { $0.maxMessageSize = maxMessage }
    try await TestServer.withRunning(configuration) { ports, _ in
      let client = try RawWireClient.handshaken(port: ports.wire, receiveTimeoutMillis: Self.patience)
      // A bidirectional call whose handler takes the first request, then sleeps 30 s before
      // answering it: everything sent after that first message waits unread.
      var first = Civicgrid_V1_StreamingOutputCallRequest()
      var parameters = Civicgrid_V1_ResponseParameters()
      parameters.size = 1
      parameters.intervalUs = 30_000_000
      first.responseParameters = [parameters]
      client.open(1, method: "/civicgrid.v1.Diagnostics/FullDuplexCall")
      client.send(.message, stream: 1, message: first)
      var available = window - ((try? first.serializedBytes() as [UInt8])?.count ?? 0)

      // Messages cut the way that defeated the old rule: fifteen 16 KiB fragments with MORE,
      // then a 1-byte end. Sent only within the window the server grants.
      let fragment = [UInt8](repeating: 0xAB, count: 16 * 1024)
      var sent = 0
      var stalled = false
      var piece = 0
      while sent < 2_000_000 {
        let more = piece % 16 != 15
        let payload = more ? fragment : [0x01]
        while available < payload.count {
          guard let update = try await client.frame(where: { $0.type == .windowUpdate && $0.streamID == 1 }) else { break }
          available += Int(try RawWireClient.decode(Civicgrid_Wire_V1_WindowUpdate.self, update).increment)
        }
        if available < payload.count {
          stalled = true
          break
        }
        client.send(.message, flags: more ? .more : [], stream: 1, payload: payload)
        available -= payload.count
        sent += payload.count
        piece += 1
      }
      #expect(stalled, "the server stopped granting before 2 MB (sent \(sent))")
      #expect(sent <= maxMessage + 2 * window, "held unread: \(sent) bytes; bound \(maxMessage + 2 * window)")
      #expect(sent > window, "fragments were granted ahead of consumption")
      client.send(.cancel, stream: 1)
      client.send(.ping, stream: 0, message: Civicgrid_Wire_V1_Ping())
      #expect(try await client.frame(where: { $0.type == .ping }) != nil, "the connection carries on")
    }
  }

  static func ping(_ opaque: UInt64, into buffer: inout ByteBuffer) {
    var ping = Civicgrid_Wire_V1_Ping()
    ping.opaque = opaque
    FrameEncoder.write(.ping, streamID: 0, message: ping, into: &buffer)
  }

  static func headersAndCancel(_ id: UInt32, method: String, into buffer: inout ByteBuffer) {
    var headers = Civicgrid_Wire_V1_Headers()
    headers.method = method
    FrameEncoder.write(.headers, streamID: id, message: headers, into: &buffer)
    FrameEncoder.write(.cancel, streamID: id, into: &buffer)
  }
}
