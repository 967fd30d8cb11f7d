public import GRPCCore

/// Refuses an authenticated call at once with RESOURCE_EXHAUSTED when its account's token
/// bucket is empty (`rate_limits`, docs/RELIABILITY.md). Runs after `AuthInterceptor`, which
/// binds the caller; public methods (no account) pass.
public struct AccountRateLimitInterceptor: ServerInterceptor {
  private let limiter: AccountRateLimiter

  public init(limiter: AccountRateLimiter) {
    self.limiter = limiter
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    if let principal = RequestContext.current?.principal,
      case .refused(let retryAfter) = self.limiter.take(accountID: principal.accountID, roles: principal.roles)
    {
      let limit = self.limiter.limits.limit(for: principal.roles).map { "\($0)" } ?? "?"
      throw AdmissionRefusal.error(.rate, "this account's rate limit (\(limit): calls per second/burst) is used up", retryAfter: retryAfter)
    }
    return try await next(request, context)
  }
}
