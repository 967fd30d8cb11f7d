/// Why a call may not proceed for lack of a caller, as opposed to a refusal of what it asked
/// (`DomainError`). The RPC layer answers it UNAUTHENTICATED.
public enum AccessError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The call carries no valid credentials (or reached a handler outside an authenticated call).
  case unauthenticated

  public var description: String {
    switch self {
    case .unauthenticated: AuthInterceptor.unauthenticatedMessage
    }
  }
}
