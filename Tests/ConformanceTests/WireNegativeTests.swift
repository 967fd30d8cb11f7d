import CivicProtos
import CivicServer
import CivicWire
import CivicWireProtos
import Foundation
import GRPCCore
import Testing

/// What the CivicWire listener does with peers that break the rules, over real sockets.
@Suite("CivicWire negative cases", .serialized, .timeLimit(.minutes(2)))
struct WireNegativeTests {
  @Test("max-streams refusal: the stream beyond the server's limit gets RESOURCE_EXHAUSTED")
  func maxStreamsRefusal() async throws {
    let configuration = TestServer.configuration { $0.maxConcurrentStreams = 4 }
    try await TestServer.withRunning(configuration) { ports, _ in
      let client = try RawWireClient(port: ports.wire)
      try client.handshake()
      // Four calls held open (no HALF_CLOSE), then a fifth.
      for id in stride(from: UInt32(1), through: 9, by: 2) { client.open(id) }
      let refusal = try #require(try client.next(where: { $0.type == .trailers }))
      #expect(refusal.streamID == 9)
      let trailers = try RawWireClient.decode(Civicgrid_Wire_V1_Trailers.self, refusal)
      #expect(trailers.code == UInt32(Status.Code.resourceExhausted.rawValue))
      #expect(trailers.message.contains("too many concurrent streams"))
    }
  }

  @Test("the Swift client queues calls beyond the server's stream limit instead of failing them")
  func clientQueuesBeyondLimit() async throws {
    let configuration = TestServer.configuration { $0.maxConcurrentStreams = 2 }
    try await TestServer.withRunning(configuration) { ports, _ in
      try await TransportKind.civicWire.withClients(ports) { clients in
        try await withThrowingTaskGroup(of: Void.self) { group in
          for _ in 0..<10 {
            group.addTask {
              var request = Civicgrid_V1_SimpleRequest()
              request.sleepMicros = 20_000
              _ = try await clients.diagnostics.unaryCall(request)
            }
          }
          try await group.waitForAll()
        }
      }
    }
  }

  @Test("ping acknowledgement: the server echoes the opaque value")
  func pingAck() async throws {
    try await TestServer.withRunning { ports, _ in
      let client = try RawWireClient(port: ports.wire)
      try client.handshake()
      var ping = Civicgrid_Wire_V1_Ping()
      ping.opaque = 0x0123_4567_89AB_CDEF
      client.send(.ping, stream: 0, message: ping)
      let ack = try #require(try client.next(where: { $0.type == .ping }))
      #expect(ack.flags.contains(.ack))
      #expect(try RawWireClient.decode(Civicgrid_Wire_V1_Ping.self, ack).opaque == 0x0123_4567_89AB_CDEF)

      // And through the Swift client transport's own PING.
      let transport = try CivicWireClientTransport(host: "127.0.0.1", port: ports.wire)
      try await transport.ping()
      transport.beginGracefulShutdown()
    }
  }

  @Test("GOAWAY, then a new call succeeds on a new connection", arguments: try TransportKind.selected)
  func goAwayThenNewConnection(transport: TransportKind) async throws {
    // A short idle timeout makes the server drain each connection after its calls.
    let configuration = TestServer.configuration { $0.idleTimeoutSeconds = 1 }
    try await TestServer.withRunning(configuration) { ports, _ in
      try await transport.withClients(ports) { clients in
        // What a client does around a GOAWAY: wait for a connection, and retry a call
        // the draining connection reports UNAVAILABLE (it was not processed).
        var options = CallOptions.defaults
        options.waitForReady = true
        options.executionPolicy = .retry(
          RetryPolicy(
            maxAttempts: 3,
            initialBackoff: .milliseconds(50),
            maxBackoff: .milliseconds(500),
            backoffMultiplier: 2,
            retryableStatusCodes: [.unavailable]
          )
        )
        let first = try await clients.diagnostics.unaryCall(Civicgrid_V1_SimpleRequest(), options: options)
        // The idle drain sends GOAWAY (and, on CivicWire, closes after the PING round trip):
        // wait for that event, the first connection leaving ESTABLISHED, not for a guessed time.
        let firstClientPort = try #require(LoopbackConnections.port(ofPeer: first.peer), "peer \(first.peer)")
        try await LoopbackConnections.waitUntilClosed(clientPort: firstClientPort, serverPort: transport.port(in: ports))
        let second = try await clients.diagnostics.unaryCall(Civicgrid_V1_SimpleRequest(), options: options)
        #expect(first.peer != second.peer, "the second call should come from a new connection")
      }
    }
  }

  @Test("an in-flight call survives the server's graceful shutdown; new connections are refused")
  func drainKeepsInFlightCalls() async throws {
    try await TestServer.withRunning { ports, server in
      try await TransportKind.civicWire.withClients(ports) { clients in
        let sizes = try await clients.diagnostics.streamingOutputCall(Self.twoAnswersHalfASecondApart) { response in
          var sizes: [Int] = []
          for try await message in response.messages {
            sizes.append(message.payload.body.count)
            // The call is certainly in flight once its first answer arrived.
            if sizes.count == 1 { server.beginGracefulShutdown() }
          }
          return sizes
        }
        #expect(sizes == [1, 2])
      }
      #expect(throws: RawSocket.SocketError.self) { _ = try RawSocket(port: ports.wire) }
    }
  }

  /// A server-streaming request: one answer at once, a second after 500 ms.
  static let twoAnswersHalfASecondApart = Self.twoAnswers(secondAfterMicros: 500_000)

  /// A server-streaming request: one answer (1 byte) at once, a second (2 bytes) after the delay.
  static func twoAnswers(secondAfterMicros micros: Int32) -> Civicgrid_V1_StreamingOutputCallRequest {
    var request = Civicgrid_V1_StreamingOutputCallRequest()
    var first = Civicgrid_V1_ResponseParameters()
    first.size = 1
    var second = Civicgrid_V1_ResponseParameters()
    second.size = 2
    second.intervalUs = micros
    request.responseParameters = [first, second]
    return request
  }

  @Test("protocol violations on one connection do not disturb a call on another")
  func violationsAreIsolated() async throws {
    try await TestServer.withRunning { ports, _ in
      try await TransportKind.civicWire.withClients(ports) { clients in
        async let slow: Civicgrid_V1_SimpleResponse = {
          var request = Civicgrid_V1_SimpleRequest()
          request.sleepMicros = 300_000
          return try await clients.diagnostics.unaryCall(request)
        }()
        // An HTTP client, a TLS client and a stream-id abuser, each on its own connection.
        let http = try RawSocket(port: ports.wire)
        http.send(Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        let answer = String(decoding: http.receiveAll(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 400"))

        let tls = try RawWireClient(port: ports.wire)
        tls.socket.send([0x16, 0x03, 0x01, 0x00, 0x10, 0x01, 0x00, 0x00, 0x0C])
        let goAway = try #require(try tls.next(where: { $0.type == .goAway }))
        #expect(try RawWireClient.decode(Civicgrid_Wire_V1_GoAway.self, goAway).message.contains("TLS"))

        let abuser = try RawWireClient(port: ports.wire)
        try abuser.handshake()
        abuser.open(2)
        let protocolError = try #require(try abuser.next(where: { $0.type == .goAway }))
        #expect(try RawWireClient.decode(Civicgrid_Wire_V1_GoAway.self, protocolError).errorCode == GoAwayCode.protocolError.rawValue)

        _ = try await slow
      }
    }
  }
}

@Suite("CivicWire client stream slots", .serialized, .timeLimit(.minutes(1)))
struct ClientStreamSlotTests {
  @Test("a call queued for a stream slot still ends at its deadline")
  func queuedCallHonoursDeadline() async throws {
    let configuration = TestServer.configuration { $0.maxConcurrentStreams = 1 }
    try await TestServer.withRunning(configuration) { ports, _ in
      try await TransportKind.civicWire.withClients(ports) { clients in
        // A bidirectional call holds the only slot for as long as the test keeps its request
        // side open: until the queued call below has ended. A queued call that waited for the
        // slot instead of its deadline would never end (and the suite's time limit fails it).
        let (queuedDone, queuedDoneSignal) = AsyncStream.makeStream(of: Void.self)
        let queuedCode = try await clients.diagnostics.fullDuplexCall { writer in
          var request = Civicgrid_V1_StreamingOutputCallRequest()
          var parameters = Civicgrid_V1_ResponseParameters()
          parameters.size = 1
          request.responseParameters = [parameters]
          try await writer.write(request)
          for await _ in queuedDone { break }
        } onResponse: { response in
          var messages = response.messages.makeAsyncIterator()
          // Its first answer arrived: the holding call is certainly in its slot.
          _ = try await messages.next()
          var options = CallOptions.defaults
          options.timeout = .milliseconds(200)
          let error = await #expect(throws: RPCError.self) {
            try await clients.diagnostics.emptyCall(Civicgrid_V1_Empty(), options: options)
          }
          queuedDoneSignal.yield()
          queuedDoneSignal.finish()
          while try await messages.next() != nil {}
          return error?.code
        }
        #expect(queuedCode == .deadlineExceeded)
      }
    }
  }
}
