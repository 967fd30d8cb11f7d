public import GRPCCore
public import Tracing

/// One server span per call, named by its method (`civicgrid.v1.Cases/SubmitApplication`),
/// with OpenTelemetry's `rpc.*` attributes and the call's gRPC status code; a child of the
/// caller's span when the call's metadata carries a W3C `traceparent` (and `tracestate`).
///
/// It runs first on both listeners, so the span covers every other step; it is current
/// (`ServiceContext.current`) for the handler and its response stream, so the store's
/// transactions and statements become its children. It records no metadata values, no
/// messages and no error text: codes only. The caller's account is added once known
/// (`CallSpanCallerInterceptor`).
public struct ServerTracingInterceptor: ServerInterceptor {
  private let tracer: any Tracer
  private let transport: String

  /// Span attribute names (docs/MONITORING.md, Traces).
  enum Key {
    static let system = "rpc.system"
    static let service = "rpc.service"
    static let method = "rpc.method"
    static let statusCode = "rpc.grpc.status_code"
    static let transport = "civicgrid.transport"
    static let account = "enduser.id"
    static let requestID = "civicgrid.request_id"
  }

  public init(tracer: any Tracer, transport: String) {
    self.tracer = tracer
    self.transport = transport
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var parent = ServiceContext.current ?? .topLevel
    self.tracer.extract(request.metadata, into: &parent, using: MetadataExtractor())
    let descriptor = context.descriptor
    let span = self.tracer.startSpan(descriptor.fullyQualifiedMethod, context: parent, ofKind: .server)
    span.attributes[Key.system] = "grpc"
    span.attributes[Key.service] = descriptor.service.fullyQualifiedService
    span.attributes[Key.method] = descriptor.method
    span.attributes[Key.transport] = self.transport
    let finished: @Sendable ((any Error)?) -> (any Error)? = { error in
      let code = ServerSpanStatus.code(of: error)
      span.attributes[Key.statusCode] = code.rawValue
      if ServerSpanStatus.isServerError(code) {
        span.setStatus(SpanStatus(code: .error, message: ServerSpanStatus.name(of: code)))
      }
      span.end()
      return error
    }
    let spanContext = span.context
    var response = try await ServiceContext.$current.withValue(spanContext) {
      try await CallSpan.$current.withValue(span) {
        try await self.settling(request: request, context: context, next: next, settle: finished)
      }
    }
    // The response stream runs after this returns: make the span current there too.
    if case .success(var contents) = response.accepted {
      let producer = contents.producer
      contents.producer = { writer in
        try await ServiceContext.$current.withValue(spanContext) {
          try await CallSpan.$current.withValue(span) { try await producer(writer) }
        }
      }
      response.accepted = .success(contents)
    }
    return response
  }
}
