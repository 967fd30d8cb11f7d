import CivicServices
public import CivicWire
public import GRPCCore

/// Refuses a call at once with RESOURCE_EXHAUSTED (and `retry-after-ms`) when the instance
/// already has `max_calls_in_flight` calls running (docs/RELIABILITY.md); otherwise counts
/// it until its response has ended, however it ends. Only the HTTP/2 listener needs it:
/// the CivicWire transport decides admission itself, on the event loop.
public struct InFlightLimitInterceptor: ServerInterceptor {
  private let limit: InFlightLimit

  public init(limit: InFlightLimit) {
    self.limit = limit
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    if case .refuse(let refusal) = self.limit.enter() {
      throw AdmissionRefusal.error(.inFlight, refusal.message, retryAfter: .milliseconds(refusal.retryAfterMillis))
    }
    let limit = self.limit
    return try await self.settling(request: request, context: context, next: next) { error in
      limit.leave()
      return error
    }
  }
}
