import CivicProtos
import CivicServer
import Foundation
import GRPCCore
import Testing

/// gRPC's interop cases (grpc/doc/interop-test-descriptions.md), adapted to the
/// Diagnostics service, over real loopback TCP. Every case runs over CivicWire and over
/// the HTTP/2 listener, so both transports prove the same semantics.
// The limit is per test case and only catches a hang: concurrent_large_unary (1,000 calls of
// 300 KB each way) alone takes minutes on a loaded 2-core machine.
@Suite("Interop conformance", .serialized, .timeLimit(.minutes(20)))
struct InteropTests {
  @Test("empty_unary", arguments: try TransportKind.selected)
  func emptyUnary(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        let response = try await clients.diagnostics.emptyCall(Civicgrid_V1_Empty())
        #expect(response == Civicgrid_V1_Empty())
      }
    }
  }

  @Test("large_unary: 271,828-byte request, 314,159-byte response", arguments: try TransportKind.selected)
  func largeUnary(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        var request = Civicgrid_V1_SimpleRequest()
        request.responseSize = 314_159
        request.payload = .zeros(271_828)
        let response = try await clients.diagnostics.unaryCall(request)
        #expect(response.payload.body.count == 314_159)
        #expect(response.payload.body.allSatisfy { $0 == 0 })
      }
    }
  }

  @Test("client_streaming: sizes 27182, 8, 1828, 45904 sum to 74922", arguments: try TransportKind.selected)
  func clientStreaming(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        let response = try await clients.diagnostics.streamingInputCall { writer in
          for size in [27_182, 8, 1_828, 45_904] {
            var request = Civicgrid_V1_StreamingInputCallRequest()
            request.payload = .zeros(size)
            try await writer.write(request)
          }
        }
        #expect(response.aggregatedPayloadSize == 74_922)
      }
    }
  }

  @Test("server_streaming: responses of 31415, 9, 2653, 58979 bytes in order", arguments: try TransportKind.selected)
  func serverStreaming(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        var request = Civicgrid_V1_StreamingOutputCallRequest()
        request.responseParameters = [31_415, 9, 2_653, 58_979].map { size in
          var parameters = Civicgrid_V1_ResponseParameters()
          parameters.size = Int32(size)
          return parameters
        }
        let sizes = try await clients.diagnostics.streamingOutputCall(request) { response in
          var sizes: [Int] = []
          for try await message in response.messages { sizes.append(message.payload.body.count) }
          return sizes
        }
        #expect(sizes == [31_415, 9, 2_653, 58_979])
      }
    }
  }

  @Test("ping_pong: each request answered before the next is sent", arguments: try TransportKind.selected)
  func pingPong(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        let requestSizes = [27_182, 8, 1_828, 45_904]
        let responseSizes = [31_415, 9, 2_653, 58_979]
        let (answers, answered) = AsyncStream<Int>.makeStream()
        let received = try await clients.diagnostics.fullDuplexCall { writer in
          var iterator = answers.makeAsyncIterator()
          for (requestSize, responseSize) in zip(requestSizes, responseSizes) {
            var request = Civicgrid_V1_StreamingOutputCallRequest()
            var parameters = Civicgrid_V1_ResponseParameters()
            parameters.size = Int32(responseSize)
            request.responseParameters = [parameters]
            request.payload = .zeros(requestSize)
            try await writer.write(request)
            // Ping-pong: wait for this request's answer before sending the next.
            let size = await iterator.next()
            #expect(size == responseSize)
          }
        } onResponse: { response in
          var sizes: [Int] = []
          for try await message in response.messages {
            sizes.append(message.payload.body.count)
            answered.yield(message.payload.body.count)
          }
          answered.finish()
          return sizes
        }
        #expect(received == responseSizes)
      }
    }
  }

  @Test("empty_stream: a bidi call with no messages either way", arguments: try TransportKind.selected)
  func emptyStream(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        let count = try await clients.diagnostics.fullDuplexCall { _ in
        } onResponse: { response in
          var count = 0
          for try await _ in response.messages { count += 1 }
          return count
        }
        #expect(count == 0)
      }
    }
  }

  @Test("custom_metadata: leading string and trailing binary metadata echoed", arguments: try TransportKind.selected)
  func customMetadata(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        let trailingValue: [UInt8] = [0xAB, 0xAB, 0xAB, 0x00, 0xFF]
        var metadata = Metadata()
        metadata.addString("test_initial_metadata_value", forKey: "x-civic-initial")
        metadata.addBinary(trailingValue, forKey: "x-civic-trailing-bin")

        var request = Civicgrid_V1_SimpleRequest()
        request.responseSize = 314_159
        request.payload = .zeros(271_828)
        let (leading, trailing) = try await clients.diagnostics.unaryCall(request, metadata: metadata) { response in
          (response.metadata, response.trailingMetadata)
        }
        #expect(Array(leading[stringValues: "x-civic-initial"]) == ["test_initial_metadata_value"])
        #expect(Array(trailing[binaryValues: "x-civic-trailing-bin"]) == [trailingValue])

        let (streamLeading, streamTrailing) = try await clients.diagnostics.fullDuplexCall(metadata: metadata) { writer in
          var request = Civicgrid_V1_StreamingOutputCallRequest()
          var parameters = Civicgrid_V1_ResponseParameters()
          parameters.size = 314_159
          request.responseParameters = [parameters]
          request.payload = .zeros(271_828)
          try await writer.write(request)
        } onResponse: { response in
          var trailing = Metadata()
          for try await part in response.bodyParts {
            if case .trailingMetadata(let metadata) = part { trailing = metadata }
          }
          return (response.metadata, trailing)
        }
        #expect(Array(streamLeading[stringValues: "x-civic-initial"]) == ["test_initial_metadata_value"])
        #expect(Array(streamTrailing[binaryValues: "x-civic-trailing-bin"]) == [trailingValue])
      }
    }
  }

  @Test("status_code_and_message: the requested status comes back, unary and bidi", arguments: try TransportKind.selected)
  func statusCodeAndMessage(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        var status = Civicgrid_V1_EchoStatus()
        status.code = 2
        status.message = "test status message"
        let requestedStatus = status
        var request = Civicgrid_V1_SimpleRequest()
        request.responseStatus = status
        let error = await #expect(throws: RPCError.self) { try await clients.diagnostics.unaryCall(request) }
        #expect(error?.code == .unknown)
        #expect(error?.message == "test status message")

        let streamError = await #expect(throws: RPCError.self) {
          try await clients.diagnostics.fullDuplexCall { writer in
            var request = Civicgrid_V1_StreamingOutputCallRequest()
            request.responseStatus = requestedStatus
            try await writer.write(request)
          } onResponse: { response in
            for try await _ in response.messages {}
          }
        }
        #expect(streamError?.code == .unknown)
        #expect(streamError?.message == "test status message")
      }
    }
  }

  @Test("special_status_message: whitespace and Unicode survive", arguments: try TransportKind.selected)
  func specialStatusMessage(transport: TransportKind) async throws {
    let text = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        var request = Civicgrid_V1_SimpleRequest()
        request.responseStatus.code = 2
        request.responseStatus.message = text
        let error = await #expect(throws: RPCError.self) { try await clients.diagnostics.unaryCall(request) }
        #expect(error?.code == .unknown)
        #expect(error?.message == text)
      }
    }
  }

  @Test("unimplemented_method", arguments: try TransportKind.selected)
  func unimplementedMethod(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        let error = await #expect(throws: RPCError.self) { try await clients.diagnostics.unimplementedCall(Civicgrid_V1_Empty()) }
        #expect(error?.code == .unimplemented)
      }
    }
  }

  @Test("unimplemented_service", arguments: try TransportKind.selected)
  func unimplementedService(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        let error = await #expect(throws: RPCError.self) { try await clients.unimplemented.unimplementedCall(Civicgrid_V1_Empty()) }
        #expect(error?.code == .unimplemented)
      }
    }
  }

  @Test("cancel_after_begin: a client-streaming call cancelled before sending ends CANCELLED", arguments: try TransportKind.selected)
  func cancelAfterBegin(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        // The request producer runs only once the call's stream is open: it signals that the
        // call has begun, and the test cancels then, never before.
        let (begun, signal) = AsyncStream<Void>.makeStream()
        let call = Task {
          try await clients.diagnostics.streamingInputCall { _ in
            signal.yield()
            try await Task.sleep(for: .seconds(30))
          }
        }
        for await _ in begun { break }
        // A call on the same connection, answered: the server has read the first call's
        // opening frames before it (one connection is read in order), so the cancel below
        // reaches a call the server knows, never a stream still being opened.
        _ = try await clients.diagnostics.emptyCall(Civicgrid_V1_Empty())
        call.cancel()
        let error = await #expect(throws: (any Error).self) { try await call.value }
        #expect(isCancellation(error), "got \(String(describing: error))")
        // And one more, so the server has read the cancel too before the test stops it.
        _ = try await clients.diagnostics.emptyCall(Civicgrid_V1_Empty())
      }
    }
  }

  @Test("cancel_after_first_response: a bidi call cancelled after its first answer", arguments: try TransportKind.selected)
  func cancelAfterFirstResponse(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        let (firstAnswer, signal) = AsyncStream<Void>.makeStream()
        let call = Task {
          try await clients.diagnostics.fullDuplexCall { writer in
            var request = Civicgrid_V1_StreamingOutputCallRequest()
            var parameters = Civicgrid_V1_ResponseParameters()
            parameters.size = 31_415
            request.responseParameters = [parameters]
            request.payload = .zeros(27_182)
            try await writer.write(request)
            try await Task.sleep(for: .seconds(30))
          } onResponse: { response in
            for try await _ in response.messages { signal.yield() }
          }
        }
        for await _ in firstAnswer { break }
        call.cancel()
        let error = await #expect(throws: (any Error).self) { try await call.value }
        #expect(isCancellation(error), "got \(String(describing: error))")
      }
    }
  }

  @Test("timeout_on_sleeping_server: DEADLINE_EXCEEDED", arguments: try TransportKind.selected)
  func timeoutOnSleepingServer(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        var request = Civicgrid_V1_SimpleRequest()
        request.sleepMicros = 10_000_000
        var options = CallOptions.defaults
        options.timeout = .milliseconds(100)
        // Had the call waited for the server's 10 s sleep it would have ended OK: the status
        // alone shows it ended at its deadline.
        let error = await #expect(throws: RPCError.self) {
          try await clients.diagnostics.unaryCall(request, options: options)
        }
        #expect(error?.code == .deadlineExceeded)
      }
    }
  }

  @Test("concurrent_large_unary: 1,000 concurrent calls on one connection", arguments: try TransportKind.selected)
  func concurrentLargeUnary(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        let peers = try await withThrowingTaskGroup(of: String.self) { group in
          for _ in 0..<1_000 {
            group.addTask {
              var request = Civicgrid_V1_SimpleRequest()
              request.responseSize = 314_159
              request.payload = .zeros(271_828)
              let response = try await clients.diagnostics.unaryCall(request)
              #expect(response.payload.body.count == 314_159)
              return response.peer
            }
          }
          var peers = Set<String>()
          for try await peer in group { peers.insert(peer) }
          return peers
        }
        // Every call came from the same client address and port: one connection.
        #expect(peers.count == 1)
      }
    }
  }
}

/// GRPCCore reports a call cancelled by its task as CANCELLED, or as the task's
/// CancellationError wrapped by the executor; both mean the call was cancelled.
func isCancellation(_ error: (any Error)?) -> Bool {
  switch error {
  case let error as RPCError:
    return error.code == .cancelled || error.cause is CancellationError
  case is CancellationError:
    return true
  default:
    return false
  }
}
