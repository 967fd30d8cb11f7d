import GRPCCore

extension TaskLocal {
  /// Runs the rest of an interceptor chain with this task-local bound to `value`, and a
  /// streaming response's producer too, which runs after `intercept` has returned.
  func binding<Input: Sendable, Output: Sendable>(
    _ value: Value,
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var response = try await self.withValue(value) { try await next(request, context) }
    if case .success(var contents) = response.accepted {
      let producer = contents.producer
      contents.producer = { writer in
        try await self.withValue(value) { try await producer(writer) }
      }
      response.accepted = .success(contents)
    }
    return response
  }
}
