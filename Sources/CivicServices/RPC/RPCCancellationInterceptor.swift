public import GRPCCore

/// Turns a cancelled RPC into a cancelled task around the handler, so whatever the handler
/// awaits (a running PostgreSQL statement above all) ends with the RPC.
///
/// gRPC Swift signals a cancelled RPC (client CANCEL, deadline, lost connection) through the
/// RPC's cancellation handle, not by cancelling the handler's task; the store only listens
/// to its task (it knows nothing of RPC). This bridge runs the handler, and later the
/// response's producer, in a child task that it cancels when the RPC is cancelled. It must
/// be the innermost interceptor, so everything a handler starts runs inside it.
public struct RPCCancellationInterceptor: ServerInterceptor {
  public init() {}

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let cancellation = context.cancellation
    var response = try await withoutActuallyEscaping(next) { next in
      // `next` is neither escaping nor Sendable: it runs in one child task that ends before
      // `cancelling` returns, while this task waits for it, never from two tasks at once.
      nonisolated(unsafe) let next = next
      return try await Self.cancelling(on: cancellation) { try await next(request, context) }
    }
    // A streaming handler does its work in the producer, which runs after this returns.
    if case .success(var contents) = response.accepted {
      let producer = contents.producer
      contents.producer = { writer in
        try await Self.cancelling(on: cancellation) { try await producer(writer) }
      }
      response.accepted = .success(contents)
    }
    return response
  }

  /// Runs `body` in a child task, cancelled as soon as the RPC is; returns or throws what
  /// `body` does.
  static func cancelling<Value: Sendable>(
    on cancellation: ServerContext.RPCCancellationHandle,
    _ body: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    if cancellation.isCancelled { throw CancellationError() }
    let result = await withTaskGroup(of: Outcome<Value>.self) { group in
      group.addTask {
        do { return .finished(.success(try await body())) } catch { return .finished(.failure(error)) }
      }
      group.addTask {
        do {
          try await cancellation.cancelled
          return .rpcCancelled
        } catch {
          // The group was cancelled: the body has finished, or this task was cancelled.
          return .waiterEnded
        }
      }
      defer { group.cancelAll() }
      for await outcome in group {
        switch outcome {
        case .finished(let result):
          return result
        case .rpcCancelled:
          // Cancel the body and wait for it to end: it answers the cancellation itself
          // (StoreError.cancelled, CancellationError) or finishes anyway.
          group.cancelAll()
        case .waiterEnded:
          continue
        }
      }
      // Unreachable: the body always reports.
      return .failure(CancellationError())
    }
    return try result.get()
  }

  private enum Outcome<Value: Sendable>: Sendable {
    case finished(Result<Value, any Error>)
    case rpcCancelled
    case waiterEnded
  }
}
