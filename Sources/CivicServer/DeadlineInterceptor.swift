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
    // The deadline and the grpc-timeout text it came from, when the call has one.
    let deadline = request.metadata[stringValues: "grpc-timeout"].first(where: { _ in true }).flatMap { text in
      GRPCTimeout.micros(from: text).map { (at: ContinuousClock.now.advanced(by: .microseconds(Int64(clamping: $0))), timeout: text) }
    }
    return try await self.settling(request: request, context: context, next: next) { error in
      error.map { error in
        let cancelled = context.cancellation.isCancelled
        let timedOut = deadline.map { Self.status(for: error, deadline: $0.at, timeout: $0.timeout, cancelled: cancelled) }
        return CallCancellation.status(for: timedOut ?? error, cancelled: cancelled)
      }
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
    guard CallCancellation.isCancellation(error), cancelled, now >= deadline.advanced(by: .zero - Self.tolerance) else { return error }
    return RPCError(
      code: .deadlineExceeded,
      message: "the call's deadline (grpc-timeout \(timeout)) passed before the server finished it",
      cause: error
    )
  }
}
