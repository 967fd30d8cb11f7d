import CivicProtos
import CivicServer
import CivicServices
import CivicStore
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import SwiftProtobuf
import Testing
import Tracing

/// Distributed tracing through a real server and PostgreSQL, with a `RecordingTracer`: the
/// span tree of one SubmitApplication from the transport's server span through the
/// transaction to the audit insert, the caller's `traceparent` as its parent, the same
/// server span over HTTP/2, no personal data or secret in any span, and the sweeper's
/// batch spans (docs/MONITORING.md, Traces).
@Suite("Distributed tracing", .timeLimit(.minutes(5)))
struct TracingTests {
  static let idNumber = "110101195001011234"
  static let phone = "13800138000"

  static func application() -> Civicgrid_V1_SubmitApplicationRequest {
    .with {
      $0.itemCode = "QH-CA-001"
      $0.channel = .window
      $0.applicant.name = "Wang Fang"
      $0.applicant.idNumber = Self.idNumber
      $0.applicant.phone = Self.phone
      $0.unitCode = "QH-GSC"
    }
  }

  /// What one traced run saw: the spans, the ids sent, the clerk's account and token.
  struct Run {
    var spans: [RecordingTracer.Recorded]
    var traceID: String
    var parentSpanID: String
    var clerkID: String
    var secrets: [String]
  }

  /// One SubmitApplication over `transport` with a caller's `traceparent`, and one without.
  static func submit(over transport: String) async throws -> Run {
    let tracer = RecordingTracer()
    let traceID = RecordingTracer.randomHex(bytes: 16)
    let parentSpanID = RecordingTracer.randomHex(bytes: 8)
    let (clerkID, secrets) = try await ServiceHarness.withServer(tracer: tracer) { harness in
      let clerk = try await harness.token(for: "clerk")
      let clerkID = try await harness.store.query("SELECT id FROM accounts WHERE login = 'clerk'").scalar(Int64.self)
      var traced = Metadata.bearer(clerk)
      traced.addString("00-\(traceID)-\(parentSpanID)-01", forKey: "traceparent")
      traced.addString("vendor=opaque", forKey: "tracestate")
      let request = Self.application()
      switch transport {
      case "http2":
        let http2 = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: harness.ports.grpc), transportSecurity: .plaintext)
        try await withGRPCClient(transport: http2) { client in
          let cases = Civicgrid_V1_Cases.Client(wrapping: client)
          _ = try await cases.submitApplication(request, metadata: traced)
          _ = try await cases.submitApplication(request, metadata: .bearer(clerk))
        }
      default:
        let cases = Civicgrid_V1_Cases.Client(wrapping: harness.client)
        _ = try await cases.submitApplication(request, metadata: traced)
        _ = try await cases.submitApplication(request, metadata: .bearer(clerk))
      }
      return (String(try #require(clerkID)), [clerk, harness.adminToken])
    }
    return Run(spans: tracer.spans, traceID: traceID, parentSpanID: parentSpanID, clerkID: clerkID, secrets: secrets)
  }

  @Test(
    "SubmitApplication: server span from the caller's traceparent, with rpc attributes and the account, over the transaction to the audit insert",
    arguments: ["civicwire", "http2"]
  )
  func submitApplicationSpanTree(transport: String) async throws {
    let run = try await Self.submit(over: transport)
    let method = "civicgrid.v1.Cases/SubmitApplication"
    let servers = run.spans.filter { $0.name == method }
    #expect(servers.count == 2)

    // The traced call: a server span in the caller's trace, child of the caller's span.
    let server = try #require(servers.first { $0.traceID == run.traceID })
    #expect(server.kind == .server)
    #expect(server.parentSpanID == run.parentSpanID)
    #expect(server.attributes["rpc.system"] == "grpc")
    #expect(server.attributes["rpc.service"] == "civicgrid.v1.Cases")
    #expect(server.attributes["rpc.method"] == "SubmitApplication")
    #expect(server.attributes["rpc.grpc.status_code"] == "0")
    #expect(server.attributes["civicgrid.transport"] == transport)
    #expect(server.attributes["enduser.id"] == run.clerkID)
    #expect(server.status == nil)

    // Its children: the transactions (token check, the intake), each with its statements.
    let trace = run.spans.filter { $0.traceID == run.traceID }
    let transactions = trace.filter { $0.parentSpanID == server.spanID && $0.name == "db.transaction" }
    #expect(!transactions.isEmpty)
    // The audit row is a queued write (`StoreConnection.queue`): it goes out with the COMMIT,
    // in one round trip, and that round trip's span names it among its statements.
    let auditInserts = trace.filter { $0.name.split(separator: " + ").contains("INSERT audit_log") }
    let auditInsert = try #require(auditInserts.first)
    #expect(auditInserts.count == 1)
    // The intake's own writes (the case row, its event, the audit row) all go out with the COMMIT.
    #expect(auditInsert.name == "INSERT cases + INSERT case_events + INSERT audit_log + COMMIT", "\(auditInsert.name)")
    let transaction = try #require(transactions.first { $0.spanID == auditInsert.parentSpanID }, "the audit insert is a transaction's child")
    #expect(transaction.attributes["db.system.name"] == "postgresql")
    #expect(transaction.attributes["db.transaction.attempts"] == "1")
    #expect(auditInsert.kind == .client)
    #expect(auditInsert.attributes["db.system.name"] == "postgresql")
    #expect(auditInsert.attributes["db.query.summary"] == auditInsert.name)
    // The round trip's row count is its last statement's (docs/MONITORING.md): COMMIT, none.
    #expect(auditInsert.attributes["db.row_count"] == "0")

    // Statement spans are named by keywords and a table only: no SQL text, no values.
    for span in trace where span.kind == .client && span.name != "db.transaction" {
      for statement in span.name.split(separator: " + ") {
        #expect(statement.split(separator: " ").count <= 2, "a statement span named '\(span.name)'")
      }
      #expect(!span.name.contains("$") && !span.name.contains("'"), "a statement span named '\(span.name)'")
    }

    // The untraced call: a root span of a trace of its own.
    let untraced = try #require(servers.first { $0.traceID != run.traceID })
    #expect(untraced.parentSpanID == nil)
    #expect(untraced.attributes["rpc.grpc.status_code"] == "0")
  }

  @Test("no span name or attribute holds the applicant's ID number, phone or a bearer token")
  func noPersonalDataInSpans() async throws {
    let run = try await Self.submit(over: "civicwire")
    #expect(run.spans.count > 10)
    for span in run.spans {
      let texts = [span.name] + span.attributes.map { "\($0.key)=\($0.value)" } + [span.status?.message].compactMap { $0 }
      for text in texts {
        #expect(!text.contains(Self.idNumber), "an ID number in span \(span.name): \(text)")
        #expect(!text.contains(Self.phone), "a phone number in span \(span.name): \(text)")
        for secret in run.secrets { #expect(!text.contains(secret), "a bearer token in span \(span.name): \(text)") }
      }
    }
  }

  @Test("a refused call's server span carries its status code; a caller's error is not the server's")
  func refusedCall() async throws {
    let tracer = RecordingTracer()
    try await ServiceHarness.withServer(tracer: tracer) { harness in
      let cases = Civicgrid_V1_Cases.Client(wrapping: harness.client)
      await #expect(throws: RPCError.self) { _ = try await cases.submitApplication(Self.application(), metadata: .bearer("not-a-token")) }
    }
    let server = try #require(tracer.spans.first { $0.name == "civicgrid.v1.Cases/SubmitApplication" })
    #expect(server.attributes["rpc.grpc.status_code"] == "16")
    #expect(server.attributes["enduser.id"] == nil)
    #expect(server.status == nil)
    #expect(!server.attributes.values.contains { $0.contains("not-a-token") })
  }

  @Test("one span per sweeper batch, with the cases examined and levels changed, over its transaction")
  func sweeperBatchSpans() async throws {
    let tracer = RecordingTracer()
    let pass = try await ServiceHarness.withServer(tracer: tracer) { harness in
      let clerk = try await harness.token(for: "clerk")
      _ = try await Civicgrid_V1_Cases.Client(wrapping: harness.client).submitApplication(Self.application(), metadata: .bearer(clerk))
      var configuration = WarningSweeper.Configuration.defaults
      configuration.workers = 1
      return try await WarningSweeper(store: harness.store, configuration: configuration, logger: ServiceHarness.logger).sweep()
    }
    #expect(pass.casesExamined >= 1)
    let batches = tracer.spans.filter { $0.name == "warning_sweep.batch" }
    try #require(!batches.isEmpty)
    let examined = batches.compactMap { Int($0.attributes["sweep.cases_examined"] ?? "") }
    let changed = batches.compactMap { Int($0.attributes["sweep.levels_changed"] ?? "") }
    #expect(examined.count == batches.count && changed.count == batches.count)
    #expect(examined.reduce(0, +) == pass.casesExamined)
    #expect(changed.reduce(0, +) == pass.changes)
    for batch in batches {
      #expect(batch.parentSpanID == nil)
      #expect(tracer.spans.contains { $0.parentSpanID == batch.spanID && $0.name == "db.transaction" })
    }
  }
}

extension TracingTests {
  @Test("a failing statement's span and its transaction's carry the error kind and SQLSTATE, never the SQL or its values")
  func failedStatement() async throws {
    let tracer = RecordingTracer()
    let secret = "110101195001011234"
    try await ServiceHarness.withServer(tracer: tracer) { harness in
      await #expect(throws: StoreError.self) {
        try await harness.store.transaction { connection in
          _ = try await connection.query("SELECT \(secret)::int / 0 FROM units")
        }
      }
    }
    let statement = try #require(tracer.spans.first { $0.name == "SELECT units" && $0.status != nil })
    #expect(statement.status?.code == .error)
    #expect(statement.attributes["error.type"]?.contains("sqlState: 22") == true, "\(statement.attributes)")
    let transaction = try #require(tracer.spans.first { $0.spanID == statement.parentSpanID })
    #expect(transaction.name == "db.transaction" && transaction.status?.code == .error)
    for span in [statement, transaction] {
      let texts = [span.name, span.status?.message ?? ""] + span.attributes.values
      #expect(!texts.contains { $0.contains(secret) || $0.contains("/ 0") })
    }
  }
}

extension TracingTests {
  @Test("client side: a span's context injected into call metadata is extracted back as the parent of the next span")
  func metadataCarrierRoundTrip() throws {
    let tracer = RecordingTracer()
    let caller = tracer.startSpan("caller", context: .topLevel, ofKind: .client)
    var metadata = Metadata()
    metadata.addString("00-00000000000000000000000000000001-0000000000000001-01", forKey: "traceparent")
    tracer.inject(caller.context, into: &metadata, using: MetadataInjector())
    let sent = Array(metadata[stringValues: "traceparent"])
    #expect(sent.count == 1, "the injector replaces, never adds a second traceparent")

    var received = ServiceContext.topLevel
    tracer.extract(metadata, into: &received, using: MetadataExtractor())
    let server = tracer.startSpan("server", context: received, ofKind: .server)
    server.end()
    caller.end()
    let spans = tracer.spans
    let callerSpan = try #require(spans.first { $0.name == "caller" })
    let serverSpan = try #require(spans.first { $0.name == "server" })
    #expect(serverSpan.traceID == callerSpan.traceID)
    #expect(serverSpan.parentSpanID == callerSpan.spanID)
    #expect(sent.first == "00-\(callerSpan.traceID)-\(callerSpan.spanID)-01")
  }
}
