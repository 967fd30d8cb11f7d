import Synchronization

/// At most `limit` feed reads at once on this instance, the others waiting their turn in
/// order.
///
/// Every WatchEvents and WatchAlerts subscriber rereads from its cursor on each notification,
/// so a notification wakes them all at once. Without a gate a thousand subscribers queue a
/// thousand reads on the pool: the calls behind them wait, and past the pool's wait queue
/// (`poolQueueLimit`) reads and calls alike are refused with RESOURCE_EXHAUSTED. With it the
/// feeds share part of the pool and the calls keep the rest.
package final class FeedReadGate: Sendable {
  private struct State {
    var free: Int
    var waiters: [CheckedContinuation<Void, Never>] = []
  }

  private let state: Mutex<State>

  package init(limit: Int) {
    self.state = Mutex(State(free: max(1, limit)))
  }

  /// Runs `body` once a place is free.
  package func run<R>(_ body: () async throws -> R) async throws -> R {
    await self.acquire()
    defer { self.release() }
    return try await body()
  }

  private func acquire() async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let admitted = self.state.withLock { state in
        guard state.free > 0 else {
          state.waiters.append(continuation)
          return false
        }
        state.free -= 1
        return true
      }
      if admitted { continuation.resume() }
    }
  }

  private func release() {
    let next = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
      guard !state.waiters.isEmpty else {
        state.free += 1
        return nil
      }
      return state.waiters.removeFirst()
    }
    next?.resume()
  }
}
