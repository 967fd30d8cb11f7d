import Synchronization

/// The send side of one stream's flow-control window (docs/PROTOCOL.md, section 5).
///
/// The writer task takes credit before each MESSAGE frame and suspends when there is
/// none; the event loop adds credit from the peer's WINDOW_UPDATE frames.
final class SendWindow: Sendable {
  private struct State {
    var available: Int
    var waiter: CheckedContinuation<Void, any Error>?
    var closedWith: (any Error)?
  }

  private let state: Mutex<State>

  init(initial: Int) {
    self.state = Mutex(State(available: initial))
  }

  /// Takes up to `wanted` bytes of credit, waiting until at least one byte is available.
  /// Returns how many bytes were taken (at least 1 when `wanted > 0`).
  func acquire(upTo wanted: Int) async throws -> Int {
    guard wanted > 0 else { return 0 }
    while true {
      let taken: Int? = try self.state.withLock { state in
        if let error = state.closedWith { throw error }
        guard state.available > 0 else { return nil }
        let taken = min(wanted, state.available)
        state.available -= taken
        return taken
      }
      if let taken { return taken }
      try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
          let resumeNow: Result<Void, any Error>? = self.state.withLock { state in
            if let error = state.closedWith { return .failure(error) }
            if state.available > 0 { return .success(()) }
            state.waiter = continuation
            return nil
          }
          if let resumeNow { continuation.resume(with: resumeNow) }
        }
      } onCancel: {
        self.close(with: CancellationError())
      }
    }
  }

  /// Adds credit from a WINDOW_UPDATE. Returns false when the window would overflow 2^31-1.
  @discardableResult
  func grant(_ increment: Int) -> Bool {
    let (ok, waiter): (Bool, CheckedContinuation<Void, any Error>?) = self.state.withLock { state in
      guard state.available + increment <= Int(Int32.max) else { return (false, nil) }
      state.available += increment
      defer { state.waiter = nil }
      return (true, state.waiter)
    }
    waiter?.resume()
    return ok
  }

  /// Fails the current and every later `acquire`: the stream is gone.
  func close(with error: any Error) {
    let waiter: CheckedContinuation<Void, any Error>? = self.state.withLock { state in
      guard state.closedWith == nil else { return nil }
      state.closedWith = error
      defer { state.waiter = nil }
      return state.waiter
    }
    waiter?.resume(throwing: error)
  }
}
