import CivicProtos
import CivicServer
import CivicServices
import CivicWireCore
import GRPCCore
import Testing

/// The instance's limit on calls in flight, over real sockets on both transports.
@Suite("Admission control: calls in flight", .serialized, .timeLimit(.minutes(2)))
struct AdmissionTests {
  @Test("beyond max_calls_in_flight a call is refused RESOURCE_EXHAUSTED at once with retry-after-ms; the held calls finish and the next call passes", arguments: try TransportKind.selected)
  func inFlightLimit(transport: TransportKind) async throws {
    let configuration = TestServer.configuration { $0.maxCallsInFlight = 2 }
    try await TestServer.withRunning(configuration) { ports, _ in
      try await transport.withClients(ports) { clients in
        let refusal: RPCError? = try await Self.holding(clients) {
          try await Self.holding(clients) {
            await #expect(throws: RPCError.self) { try await clients.diagnostics.emptyCall(Civicgrid_V1_Empty()) }
          }
        }
        let error = try #require(refusal)
        #expect(error.code == .resourceExhausted)
        #expect(error.message.contains("calls in flight"))
        #expect(error.metadata[stringValues: RetryAfterMetadata.key].first(where: { _ in true }) == "100")
        // Both held calls ended, so their places are free again.
        _ = try await clients.diagnostics.emptyCall(Civicgrid_V1_Empty())
      }
    }
  }

  /// Runs `body` while one bidirectional call is certainly in flight (its first answer
  /// arrived and its request side is still open).
  static func holding<R: Sendable>(_ clients: TestClients, _ body: @escaping @Sendable () async throws -> R) async throws -> R {
    let (done, doneSignal) = AsyncStream.makeStream(of: Void.self)
    return try await clients.diagnostics.fullDuplexCall { writer in
      var request = Civicgrid_V1_StreamingOutputCallRequest()
      var parameters = Civicgrid_V1_ResponseParameters()
      parameters.size = 1
      request.responseParameters = [parameters]
      try await writer.write(request)
      for await _ in done { break }
    } onResponse: { response in
      var messages = response.messages.makeAsyncIterator()
      _ = try await messages.next()
      let result: Result<R, any Error>
      do { result = .success(try await body()) } catch { result = .failure(error) }
      doneSignal.yield()
      doneSignal.finish()
      while try await messages.next() != nil {}
      return try result.get()
    }
  }
}
