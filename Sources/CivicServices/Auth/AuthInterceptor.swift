import Foundation
public import GRPCCore
import Synchronization

/// Authenticates and authorizes every call before its handler runs, and binds the
/// caller as `RequestContext.current` for the handler (including a streaming response's
/// producer, which runs after `intercept` returns).
///
/// - A method without a policy is refused (PERMISSION_DENIED): fail closed.
/// - Public methods run without a token.
/// - Otherwise the `authorization: Bearer <secret>` metadata must name a live token:
///   missing, malformed, unknown, revoked and expired tokens all get the same
///   UNAUTHENTICATED answer, held back by `FailureThrottle` for a peer that keeps failing.
/// - An account whose roles the policy does not admit gets PERMISSION_DENIED.
public final class AuthInterceptor: ServerInterceptor, Sendable {
  /// The one answer for every token problem, so a caller learns nothing about which.
  public static let unauthenticatedMessage = "a valid bearer token is required (metadata 'authorization: Bearer <token>')"

  private let policies: [String: MethodPolicy]
  private let authenticator: TokenAuthenticator
  private let throttle: Mutex<FailureThrottle>
  /// `civicgrid_auth_failures_total{reason}`, one counter per reason, made once.
  private let failures = AuthFailureCounters()

  public init(policies: [String: MethodPolicy], authenticator: TokenAuthenticator, throttle: FailureThrottle.Settings = .standard) {
    self.policies = policies
    self.authenticator = authenticator
    self.throttle = Mutex(FailureThrottle(settings: throttle))
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let method = context.descriptor.fullyQualifiedMethod
    guard let policy = self.policies[method] else {
      throw RPCError(code: .permissionDenied, message: "\(method) has no access policy")
    }
    let principal: Principal?
    if policy.access == .public {
      principal = nil
    } else {
      principal = try await self.authenticate(request.metadata, peer: context.remotePeer)
      guard let principal, policy.admits(principal.roles) else {
        throw RPCError(code: .permissionDenied, message: "\(method) requires the role \(policy)")
      }
    }
    let requestContext = RequestContext(method: method, requestID: RequestID.from(request.metadata), principal: principal)
    var response = try await RequestContext.$current.withValue(requestContext) {
      try await next(request, context)
    }
    if case .success(var contents) = response.accepted {
      let producer = contents.producer
      contents.producer = { writer in
        try await RequestContext.$current.withValue(requestContext) { try await producer(writer) }
      }
      response.accepted = .success(contents)
    }
    return response
  }

  private func authenticate(_ metadata: Metadata, peer: String) async throws -> Principal {
    let header = metadata["authorization"].first(where: { _ in true })
    let secret: String? =
      switch header {
      case .string(let value): BearerToken.secret(fromAuthorization: value)
      default: nil
      }
    if let secret, let principal = try await self.authenticator.principal(forSecret: secret) {
      return principal
    }
    self.failures.count(header == nil ? .missing : secret == nil ? .malformed : .rejected)
    let delay = self.throttle.withLock { $0.recordFailure(peer: FailureThrottle.host(ofPeer: peer), now: .now) }
    if delay > .zero { try? await Task.sleep(for: delay) }
    throw RPCError(code: .unauthenticated, message: Self.unauthenticatedMessage)
  }
}
