/// Who may call one RPC method. Every method in `MethodRegistry` has one (a test checks);
/// a method without a policy is refused with PERMISSION_DENIED.
///
/// The policy decides *whether* a caller may use a method at all; *which objects* it sees
/// is the scope rule (`Principal.scope`), applied by the service in its queries, where an
/// object outside the scope answers NOT_FOUND exactly like a missing one.
public struct MethodPolicy: Sendable, Hashable, CustomStringConvertible {
  public enum Access: Sendable, Hashable {
    /// No token needed (health, diagnostics).
    case `public`
    /// Any valid token, whatever its roles.
    case authenticated
    /// A valid token of an account holding at least one of these roles.
    case roles(Set<Role>)
  }

  public var access: Access

  public static let `public` = MethodPolicy(access: .public)
  public static let authenticated = MethodPolicy(access: .authenticated)
  public static func roles(_ roles: Set<Role>) -> MethodPolicy { MethodPolicy(access: .roles(roles)) }

  /// Whether an authenticated account with `roles` may call the method.
  public func admits(_ roles: Set<Role>) -> Bool {
    switch self.access {
    case .public, .authenticated: true
    case .roles(let allowed): !allowed.isDisjoint(with: roles)
    }
  }

  public var description: String {
    switch self.access {
    case .public: "public"
    case .authenticated: "authenticated"
    case .roles(let roles): roles.sorted().map(\.rawValue).joined(separator: "|")
    }
  }
}
