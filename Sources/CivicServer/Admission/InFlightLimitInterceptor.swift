import CivicServices
public import GRPCCore

/// Refuses a call at once with RESOURCE_EXHAUSTED (and `retry-after-ms`) when the instance
/// already has `max_calls_in_flight` calls running (docs/RELIABILITY.md); otherwise counts
/// it until its response has ended, however it ends.
public struct InFlightLimitInterceptor: ServerInterceptor {
  /// The hint given with a refusal: calls typically finish within it.
  static let retryAfter = Duration.milliseconds(100)
  private let limit: InFlightLimit

  public init(limit: InFlightLimit) {
    self.limit = limit
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    guard self.limit.enter() else {
      throw AdmissionRefusal.error(
        .inFlight,
        "server busy: \(self.limit.limit) calls in flight, the instance's limit",
        retryAfter: Self.retryAfter
      )
    }
    let limit = self.limit
    return try await self.settling(request: request, context: context, next: next) { error in
      limit.leave()
      return error
    }
  }
}
