public import GRPCCore
import Foundation

/// Turns a cancelled RPC into a cancelled task around the handler, so whatever the handler
/// awaits (a running PostgreSQL statement above all) ends with the RPC.
///
/// gRPC Swift signals a cancelled RPC (client CANCEL, deadline, lost connection) through the
/// RPC's cancellation handle, not by cancelling the handler's task; the store only listens
/// to its task (it knows nothing of RPC). This bridge runs the handler, and later the
/// response's producer, in a child task that an RPC cancellation handler cancels. Only that
/// child is cancelled: the call's own task goes on to write the status (DEADLINE_EXCEEDED,
/// say) uncancelled. It must be the innermost interceptor, so everything a handler starts
/// runs inside it.
///
/// (It used to run a second child task per phase that waited for the cancellation, and a
/// group around both: four tasks per unary call, each made, scheduled and torn down.)
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
  ///
  /// The cancellation handler is registered on the task's RPC cancellation handle, which
  /// every gRPC transport binds for the call (`withServerContextRPCCancellationHandle`);
  /// `cancellation` is that same handle.
  static func cancelling<Value: Sendable>(
    on cancellation: ServerContext.RPCCancellationHandle,
    _ body: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    if cancellation.isCancelled { throw CancellationError() }
    let canceller = TaskCanceller()
    return try await withRPCCancellationHandler {
      try await withThrowingTaskGroup(of: Value.self) { group in
        group.addTask {
          canceller.attachCurrentTask()
          defer { canceller.detach() }
          return try await body()
        }
        // The one child's result or error; `addTask` guarantees there is one.
        return try await group.next()!
      }
    } onCancelRPC: {
      // Cancelling the task runs the store's cancel request (PQcancel), which blocks: not on
      // the thread that cancels the RPC, which may be an event loop.
      Task { canceller.cancel() }
    }
  }
}

/// Cancels one task from any thread while, and only while, that task is between
/// `attachCurrentTask` and `detach`: the lock turns a late `cancel` into a no-op instead of
/// a touch of a task that may have ended. A `cancel` before the attach is kept, and the task
/// cancels itself when it attaches.
package final class TaskCanceller: @unchecked Sendable {
  private let lock = NSLock()
  // Guarded by `lock`. Set and cleared by the task itself, so it is alive while set.
  private var task: UnsafeCurrentTask?
  private var cancelled = false

  package init() {}

  package func attachCurrentTask() {
    withUnsafeCurrentTask { task in
      let cancelNow = self.lock.withLock {
        self.task = task
        return self.cancelled
      }
      if cancelNow { task?.cancel() }
    }
  }

  package func detach() {
    self.lock.withLock { self.task = nil }
  }

  package func cancel() {
    self.lock.withLock {
      self.cancelled = true
      self.task?.cancel()
    }
  }
}
