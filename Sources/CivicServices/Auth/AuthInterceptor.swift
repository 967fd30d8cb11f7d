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
/// - A call without `authorization` over mutual TLS acts as the account its client
///   certificate is mapped to (`CertificateAuthenticator`); an unmapped certificate gets
///   UNAUTHENTICATED. A bearer token, when sent, wins over the certificate.
/// - An account whose roles the policy does not admit gets PERMISSION_DENIED.
public final class AuthInterceptor: ServerInterceptor, Sendable {
  /// The one answer for every token problem, so a caller learns nothing about which.
  public static let unauthenticatedMessage = "a valid bearer token is required (metadata 'authorization: Bearer <token>')"
  /// The answer for a client certificate that no account is mapped to.
  public static let unmappedCertificateMessage =
    "the client certificate is not mapped to an enabled account (tls_client_accounts); send a bearer token instead"

  private let policies: [String: MethodPolicy]
  private let authenticator: TokenAuthenticator
  private let certificates: CertificateAuthenticator?
  private let throttle: Mutex<FailureThrottle>
  /// `civicgrid_auth_failures_total{reason}`, one counter per reason, made once.
  private let failures = AuthFailureCounters()

  public init(
    policies: [String: MethodPolicy],
    authenticator: TokenAuthenticator,
    certificates: CertificateAuthenticator? = nil,
    throttle: FailureThrottle.Settings = .standard
  ) {
    self.policies = policies
    self.authenticator = authenticator
    self.certificates = certificates
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
      principal = try await self.authenticate(request.metadata, context: context)
      guard let principal, policy.admits(principal.roles) else {
        throw RPCError(code: .permissionDenied, message: "\(method) requires the role \(policy)")
      }
    }
    let requestContext = RequestContext(method: method, requestID: RequestID.from(request.metadata), principal: principal)
    return try await RequestContext.$current.binding(requestContext, request: request, context: context, next: next)
  }

  private func authenticate(_ metadata: Metadata, context: ServerContext) async throws -> Principal {
    let header = metadata["authorization"].first(where: { _ in true })
    if header == nil, let certificate = context.transportSpecific as? ClientCertificate {
      return try await self.authenticate(certificate, peer: context.remotePeer)
    }
    let secret: String? =
      switch header {
      case .string(let value): BearerToken.secret(fromAuthorization: value)
      default: nil
      }
    if let secret, let principal = try await self.authenticator.principal(forSecret: secret) {
      return principal
    }
    try await self.refuse(header == nil ? .missing : secret == nil ? .malformed : .rejected, peer: context.remotePeer, message: Self.unauthenticatedMessage)
  }

  private func authenticate(_ certificate: ClientCertificate, peer: String) async throws -> Principal {
    if let principal = try await self.certificates?.principal(for: certificate) {
      return principal
    }
    try await self.refuse(.certificate, peer: peer, message: Self.unmappedCertificateMessage)
  }

  /// Counts the failure, holds a peer that keeps failing back, and answers UNAUTHENTICATED.
  private func refuse(_ reason: AuthFailureCounters.Reason, peer: String, message: String) async throws -> Never {
    self.failures.count(reason)
    let delay = self.throttle.withLock { $0.recordFailure(peer: FailureThrottle.host(ofPeer: peer), now: .now) }
    if delay > .zero { try? await Task.sleep(for: delay) }
    throw RPCError(code: .unauthenticated, message: message)
  }
}
