import CivicWire
public import GRPCCore

/// Answers DEADLINE_EXCEEDED, not CANCELLED, when a call's deadline passed on the server.
///
/// GRPCCore (2.4.3, `ServerRPCExecutor._processRPCWithTimeout`) enforces `grpc-timeout` by
/// cancelling the RPC at the deadline and leaves the status to the handler, which sees an
/// ordinary cancellation and says CANCELLED. gRPC's interop case timeout_on_sleeping_server
/// expects DEADLINE_EXCEEDED. CivicWire's transport already sends DEADLINE_EXCEEDED itself
/// (its trailers go out first); over HTTP/2 this interceptor is what turns the status.
///
/// A call counts as timed out when it was cancelled and its deadline, measured from when
/// this interceptor saw the call, is no more than ``tolerance`` away: GRPCCore starts its
/// timer a few microseconds before the first interceptor runs.
///
/// Any other cancellation (the client reset the stream, with or without a deadline) that
/// reaches here as Swift's `CancellationError` becomes CANCELLED: GRPCCore reports an error
/// that is no `RPCError` as UNKNOWN, and the call metrics and the call log would count a
/// client's ordinary cancel as a server fault.
public struct DeadlineInterceptor: ServerInterceptor {
  /// How much earlier than this interceptor's own reckoning GRPCCore's timer may fire.
  static let tolerance = Duration.milliseconds(5)

  public init() {}

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let timeout = request.metadata[stringValues: "grpc-timeout"].first(where: { _ in true })
    let deadline = timeout.flatMap(GRPCTimeout.micros(from:)).map {
      ContinuousClock.now.advanced(by: .microseconds(Int64(clamping: $0)))
    }
    return try await self.settling(request: request, context: context, next: next) { error in
      error.map { error in
        let cancelled = context.cancellation.isCancelled
        guard let deadline, let timeout else { return Self.cancellationStatus(for: error, cancelled: cancelled) }
        let status = Self.status(for: error, deadline: deadline, timeout: timeout, cancelled: cancelled)
        return Self.cancellationStatus(for: status, cancelled: cancelled)
      }
    }
  }

  /// CANCELLED for a cancelled call that ended in a `CancellationError` (bare or wrapped);
  /// otherwise `error` unchanged.
  package static func cancellationStatus(for error: any Error, cancelled: Bool) -> any Error {
    guard cancelled, Self.isCancellation(error), (error as? RPCError)?.code != .cancelled else { return error }
    return RPCError(code: .cancelled, message: "the call was cancelled before the server finished it", cause: error)
  }

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

  /// The error to answer with: DEADLINE_EXCEEDED for a cancellation at the deadline,
  /// otherwise `error` unchanged.
  package static func status(
    for error: any Error,
    deadline: ContinuousClock.Instant,
    timeout: String,
    cancelled: Bool,
    now: ContinuousClock.Instant = .now
  ) -> any Error {
    guard Self.isCancellation(error), cancelled, now >= deadline.advanced(by: .zero - Self.tolerance) else { return error }
    return RPCError(
      code: .deadlineExceeded,
      message: "the call's deadline (grpc-timeout \(timeout)) passed before the server finished it",
      cause: error
    )
  }
}
