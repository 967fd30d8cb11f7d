import CivicProtos
import CivicServer
import GRPCCore
import NIOCore
import Testing

/// The statuses gRPC's interop descriptions name for a request over the size limit and
/// for a deadline that passes on the server, over both listeners.
@Suite("Server statuses: size limit and deadline", .serialized, .timeLimit(.minutes(5)))
struct ServerStatusTests {
  static let limit = 64 * 1024

  @Test("an oversize request gets RESOURCE_EXHAUSTED naming the limit, and the connection stays usable", arguments: try TransportKind.selected)
  func oversizeRequest(transport: TransportKind) async throws {
    let configuration = TestServer.configuration { $0.maxMessageSize = Self.limit }
    try await TestServer.withRunning(configuration) { ports, _ in
      try await transport.withClients(ports) { clients in
        var request = Civicgrid_V1_SimpleRequest()
        request.payload = .zeros(Self.limit + 1)
        let error = await #expect(throws: RPCError.self) { try await clients.diagnostics.unaryCall(request) }
        #expect(error?.code == .resourceExhausted, "got \(String(describing: error))")
        #expect(error?.message.contains("\(Self.limit)") == true, "message: \(error?.message ?? "")")

        // The next call on the same connection is answered.
        var small = Civicgrid_V1_SimpleRequest()
        small.responseSize = 10
        let response = try await clients.diagnostics.unaryCall(small)
        #expect(response.payload.body.count == 10)
      }
    }
  }

  @Test(
    "a call whose deadline passes while the server sleeps is answered DEADLINE_EXCEEDED by the server",
    arguments: try TransportKind.selected
  )
  func deadlinePassesOnServer(transport: TransportKind) async throws {
    try await TestServer.withRunning { ports, _ in
      try await transport.withClients(ports) { clients in
        var request = Civicgrid_V1_SimpleRequest()
        request.sleepMicros = 10_000_000
        // The deadline travels as grpc-timeout while the client itself sets none, so the
        // status is the one the server sent, not one the client made up at its deadline.
        var metadata = Metadata()
        metadata.addString("200m", forKey: "grpc-timeout")
        let error = await #expect(throws: RPCError.self) {
          try await clients.diagnostics.unaryCall(request, metadata: metadata)
        }
        #expect(error?.code == .deadlineExceeded, "got \(String(describing: error))")
      }
    }
  }
}

@Suite("GRPCMessageLengthScanner", .timeLimit(.minutes(1)))
struct GRPCMessageLengthScannerTests {
  static func framed(_ lengths: [Int]) -> ByteBuffer {
    var buffer = ByteBuffer()
    for length in lengths {
      buffer.writeInteger(UInt8(0))
      buffer.writeInteger(UInt32(length))
      buffer.writeRepeatingByte(0, count: length)
    }
    return buffer
  }

  @Test("reports the first message over the limit, however the stream is cut into DATA frames", arguments: [1, 2, 5, 7, 1_000])
  func overLimitAcrossChunks(chunkSize: Int) {
    var stream = Self.framed([10, 0, 100, 101, 5])
    var scanner = GRPCMessageLengthScanner(limit: 100)
    var found: Int?
    while found == nil, let chunk = stream.readSlice(length: min(chunkSize, stream.readableBytes)), chunk.readableBytes > 0 {
      found = scanner.scan(chunk)
    }
    #expect(found == 101)
  }

  @Test("messages at the limit pass", arguments: [1, 3, 4_096])
  func atLimit(chunkSize: Int) {
    var stream = Self.framed([100, 100, 0, 99])
    var scanner = GRPCMessageLengthScanner(limit: 100)
    while let chunk = stream.readSlice(length: min(chunkSize, stream.readableBytes)), chunk.readableBytes > 0 {
      #expect(scanner.scan(chunk) == nil)
    }
  }
}

@Suite("DeadlineInterceptor", .timeLimit(.minutes(1)))
struct DeadlineInterceptorTests {
  @Test("a cancellation at the deadline becomes DEADLINE_EXCEEDED; before it, and other errors, stay as they are")
  func mapping() {
    let now = ContinuousClock.now
    let cancelled = RPCError(code: .cancelled, message: "the call was cancelled while the server slept")
    let atDeadline = DeadlineInterceptor.status(for: cancelled, deadline: now, timeout: "100m", cancelled: true, now: now) as? RPCError
    #expect(atDeadline?.code == .deadlineExceeded)
    #expect(atDeadline?.message.contains("100m") == true)

    let early =
      DeadlineInterceptor.status(for: cancelled, deadline: now.advanced(by: .seconds(1)), timeout: "1S", cancelled: true, now: now)
      as? RPCError
    #expect(early?.code == .cancelled)

    let notCancelled = DeadlineInterceptor.status(for: cancelled, deadline: now, timeout: "100m", cancelled: false, now: now) as? RPCError
    #expect(notCancelled?.code == .cancelled)

    let other = RPCError(code: .invalidArgument, message: "bad")
    let unchanged = DeadlineInterceptor.status(for: other, deadline: now, timeout: "100m", cancelled: true, now: now) as? RPCError
    #expect(unchanged?.code == .invalidArgument)

    // GRPCCore's UNKNOWN around a CancellationError thrown by the handler counts too.
    let wrapped = RPCError(code: .unknown, message: "", cause: CancellationError())
    let wrappedAtDeadline = DeadlineInterceptor.status(for: wrapped, deadline: now, timeout: "1m", cancelled: true, now: now) as? RPCError
    #expect(wrappedAtDeadline?.code == .deadlineExceeded)
    let unknown = RPCError(code: .unknown, message: "", cause: RPCError(code: .internalError, message: "x"))
    #expect((DeadlineInterceptor.status(for: unknown, deadline: now, timeout: "1m", cancelled: true, now: now) as? RPCError)?.code == .unknown)
  }

  @Test("a cancelled call's CancellationError becomes CANCELLED; other errors, and a call not cancelled, stay as they are")
  func cancellation() {
    let cancelled = CallCancellation.status(for: CancellationError(), cancelled: true) as? RPCError
    #expect(cancelled?.code == .cancelled)
    #expect(CallCancellation.status(for: CancellationError(), cancelled: false) is CancellationError)
    let wrapped = RPCError(code: .unknown, message: "", cause: CancellationError())
    #expect((CallCancellation.status(for: wrapped, cancelled: true) as? RPCError)?.code == .cancelled)
    let other = RPCError(code: .invalidArgument, message: "bad")
    #expect((CallCancellation.status(for: other, cancelled: true) as? RPCError)?.code == .invalidArgument)
    struct Unexpected: Error {}
    #expect(CallCancellation.status(for: Unexpected(), cancelled: true) is Unexpected)
  }
}
