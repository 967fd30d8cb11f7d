public import GRPCCore

/// How a cancelled call ends, in one place for the interceptors that report a call's status
/// (`DeadlineInterceptor` turns it for the client and the metrics; `CallLoggingInterceptor`,
/// inside it, logs it the same way).
package enum CallCancellation {
  /// Whether `error` is how a cancelled call ends: CANCELLED, Swift's `CancellationError`, or
  /// the UNKNOWN with an empty message that GRPCCore (2.4.3, `ServerRPCExecutor._intercept`)
  /// makes of a `CancellationError` thrown by an inner interceptor or the handler. Missing
  /// that last form sent UNKNOWN to grpcio's timeout_on_sleeping_server now and then.
  package static func isCancellation(_ error: any Error) -> Bool {
    switch error {
    case let error as RPCError: return error.code == .cancelled || (error.code == .unknown && error.cause is CancellationError)
    case is CancellationError: return true
    default: return false
    }
  }

  /// CANCELLED for a cancelled call that ended in a `CancellationError` (bare or wrapped);
  /// otherwise `error` unchanged.
  package static func status(for error: any Error, cancelled: Bool) -> any Error {
    guard cancelled, Self.isCancellation(error), (error as? RPCError)?.code != .cancelled else { return error }
    return RPCError(code: .cancelled, message: "the call was cancelled before the server finished it", cause: error)
  }
}
