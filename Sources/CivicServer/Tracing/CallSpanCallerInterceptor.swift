import CivicServices
public import GRPCCore
import Tracing

/// Records who called on the call's server span once authentication is done: the account
/// id (`enduser.id`, never the login's token) and the request id. Runs after
/// `AuthInterceptor`, where `RequestContext` is known; without a traced call it does nothing.
public struct CallSpanCallerInterceptor: ServerInterceptor {
  public init() {}

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    if let span = CallSpan.current, let call = RequestContext.current {
      span.attributes[ServerTracingInterceptor.Key.requestID] = call.requestID
      if let principal = call.principal {
        span.attributes[ServerTracingInterceptor.Key.account] = String(principal.accountID)
      }
    }
    return try await next(request, context)
  }
}
