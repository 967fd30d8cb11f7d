public import GRPCCore
import Synchronization

/// A server transport whose graceful shutdown lets in-flight calls run on, as CivicWire's does
/// (docs/OPERATIONS.md, "Stopping").
///
/// grpc-swift-nio-transport cancels every in-flight RPC's cancellation handle the moment a
/// graceful shutdown begins (`ChannelShouldQuiesceEvent`). Handlers cannot tell that from a
/// client's CANCEL, so a running statement would be cancelled and a write lost, and a call
/// that waits would end CANCELLED at once. This wrapper hands each call a handle of its own
/// and passes the transport's cancellation on only while the server is not draining; a call
/// still running when the grace period ends is cut by the transport, and its client sees
/// UNAVAILABLE. (Once a drain begins the transport's handle is spent, so a client's CANCEL
/// during the drain is not seen: the grace period bounds such a call instead.)
public struct DrainingServerTransport<Inner: ServerTransport>: ServerTransport {
  public typealias Bytes = Inner.Bytes

  public let inner: Inner
  private let draining: Draining

  public init(_ inner: Inner) {
    self.inner = inner
    self.draining = Draining()
  }

  public func configure(context: GRPCServerContext) {
    self.inner.configure(context: context)
  }

  public func listen(
    streamHandler: @escaping @Sendable (_ stream: RPCStream<Inbound, Outbound>, _ context: ServerContext) async -> Void
  ) async throws {
    let draining = self.draining
    try await self.inner.listen { stream, context in
      let relay = CancellationRelay()
      // Registered on the transport's handle (the task-local one here), before a handle of
      // our own replaces it for everything the call runs.
      await withRPCCancellationHandler {
        await withServerContextRPCCancellationHandle { handle in
          relay.attach(handle)
          var context = context
          context.cancellation = handle
          await streamHandler(stream, context)
        }
      } onCancelRPC: {
        if !draining.isDraining { relay.cancel() }
      }
    }
  }

  public func beginGracefulShutdown() {
    self.draining.begin()
    self.inner.beginGracefulShutdown()
  }
}

/// Whether the server has begun a graceful shutdown.
private final class Draining: Sendable {
  private let flag = Atomic<Bool>(false)
  var isDraining: Bool { self.flag.load(ordering: .acquiring) }
  func begin() { self.flag.store(true, ordering: .releasing) }
}

/// Carries a cancellation to a handle that may not exist yet: the transport can cancel a
/// call before the handler's handle is made.
private final class CancellationRelay: Sendable {
  private enum State {
    case waiting
    case attached(ServerContext.RPCCancellationHandle)
    case cancelled
  }

  private let state = Mutex(State.waiting)

  func attach(_ handle: ServerContext.RPCCancellationHandle) {
    let cancelled = self.state.withLock { state in
      if case .cancelled = state { return true }
      state = .attached(handle)
      return false
    }
    if cancelled { handle.cancel() }
  }

  func cancel() {
    let handle = self.state.withLock { state -> ServerContext.RPCCancellationHandle? in
      defer { state = .cancelled }
      if case .attached(let handle) = state { return handle }
      return nil
    }
    handle?.cancel()
  }
}
