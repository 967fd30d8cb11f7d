import CivicServices
import CivicStore
import GRPCCore
import Testing

/// A test-only method whose handler runs `SELECT pg_sleep(30)` through the store, so a
/// test can watch what happens to the query when the RPC ends early.
private struct SleepService: RegistrableRPCService {
  static let method = MethodDescriptor(fullyQualifiedService: "civicgrid.test.Store", method: "Sleep")
  let store: StorePool

  func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
    let store = self.store
    router.registerHandler(
      forMethod: Self.method,
      deserializer: ByteCountDeserializer(),
      serializer: EmptyMessageSerializer(),
      handler: { request, context in
        for try await _ in request.messages {}
        try await store.query("SELECT pg_sleep(30) /* civic-rpc-cancel-test */")
        return StreamingServerResponse(single: ServerResponse(message: ()))
      }
    )
  }
}

@Suite("RPC ends, query ends", .timeLimit(.minutes(5)))
struct RPCCancellationTests {
  static func withSleepServer(_ body: @Sendable @escaping (ServiceHarness) async throws -> Void) async throws {
    try await ServiceHarness.withServer(
      extraServices: { [SleepService(store: $0)] },
      extraPolicies: [SleepService.method.fullyQualifiedMethod: .public],
      body
    )
  }

  /// Whether the sleeping statement is running in any backend.
  static func sleeping(_ harness: ServiceHarness) async throws -> Bool {
    let count = try await harness.store.query(
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%civic-rpc-cancel-test%' AND pid <> pg_backend_pid()"
    ).scalar(Int.self)
    return (count ?? 0) > 0
  }

  static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<100 {
      if try await condition() { return true }
      try await Task.sleep(for: .milliseconds(50))
    }
    return false
  }

  static func call(_ harness: ServiceHarness, timeout: Duration?) async throws {
    var options = CallOptions.defaults
    options.timeout = timeout
    try await harness.client.unary(
      request: ClientRequest(message: ()),
      descriptor: SleepService.method,
      serializer: EmptyMessageSerializer(),
      deserializer: ByteCountDeserializer(),
      options: options
    ) { response in _ = try response.message }
  }

  @Test("a client that cancels its call cancels the running pg_sleep (PQcancel)")
  func clientCancels() async throws {
    try await Self.withSleepServer { harness in
      let call = Task { try await Self.call(harness, timeout: nil) }
      let started = try await Self.eventually { try await Self.sleeping(harness) }
      #expect(started, "the query started")
      call.cancel()
      let outcome = await call.result
      #expect(throws: (any Error).self) { try outcome.get() }
      let stopped = try await Self.eventually { try await !Self.sleeping(harness) }
      #expect(stopped, "the query was cancelled, not left running")
    }
  }

  @Test("a call past its deadline answers DEADLINE_EXCEEDED and its query stops")
  func deadline() async throws {
    try await Self.withSleepServer { harness in
      let error = await #expect(throws: RPCError.self) { try await Self.call(harness, timeout: .milliseconds(300)) }
      #expect(error?.code == .deadlineExceeded)
      let stopped = try await Self.eventually { try await !Self.sleeping(harness) }
      #expect(stopped, "the query was cancelled, not left running")
    }
  }
}
