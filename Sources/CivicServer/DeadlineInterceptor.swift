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
public struct DeadlineInterceptor: ServerInterceptor {
  /// How much earlier than this interceptor's own reckoning GRPCCore's timer may fire.
  static let tolerance = Duration.milliseconds(5)

  public init() {}

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    guard let text = request.metadata[stringValues: "grpc-timeout"].first(where: { _ in true }),
      let micros = GRPCTimeout.micros(from: text)
    else {
      return try await next(request, context)
    }
    let deadline = ContinuousClock.now.advanced(by: .microseconds(Int64(clamping: micros)))
    return try await self.settling(request: request, context: context, next: next) { error in
      error.map { Self.status(for: $0, deadline: deadline, timeout: text, cancelled: context.cancellation.isCancelled) }
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
    let isCancellation: Bool
    switch error {
    case let error as RPCError: isCancellation = error.code == .cancelled
    case is CancellationError: isCancellation = true
    default: isCancellation = false
    }
    guard isCancellation, cancelled, now >= deadline.advanced(by: .zero - Self.tolerance) else { return error }
    return RPCError(
      code: .deadlineExceeded,
      message: "the call's deadline (grpc-timeout \(timeout)) passed before the server finished it",
      cause: error
    )
  }
}
