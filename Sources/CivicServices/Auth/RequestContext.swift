/// Who is calling which method, bound by `AuthInterceptor` around every handler.
///
/// Handlers and the audit writer read it through the task-local `current`, so service
/// code needs no extra parameters to know its caller.
public struct RequestContext: Sendable {
  /// The full method name, e.g. `civicgrid.v1.Directory/CreateUnit`.
  public var method: String
  /// The caller's `x-request-id`, or one generated for the call; written to the audit log.
  public var requestID: String
  /// Nil for public methods.
  public var principal: Principal?

  public init(method: String, requestID: String, principal: Principal?) {
    self.method = method
    self.requestID = requestID
    self.principal = principal
  }

  @TaskLocal public static var current: RequestContext?

  /// The caller of the current RPC; UNAUTHENTICATED outside an authenticated call.
  public static func principal() throws(AccessError) -> Principal {
    guard let principal = Self.current?.principal else { throw .unauthenticated }
    return principal
  }
}
