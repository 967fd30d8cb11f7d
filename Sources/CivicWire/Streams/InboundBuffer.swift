internal import NIOCore
import Synchronization

/// The receive side of one stream: parts arrive from the event loop, one consumer task
/// reads them as an async sequence.
///
/// Buffering is bounded by flow control, not here: the peer may only send what the
/// stream's window allows, and the window is re-opened (`grant`) only as the consumer
/// takes messages out.
final class InboundBuffer<Part: Sendable>: AsyncSequence, Sendable {
  typealias Element = Part
  typealias Failure = any Error

  private struct State {
    var queue = CircularBuffer<(part: Part, bytes: Int)>(initialCapacity: 4)
    var waiter: CheckedContinuation<Part?, any Error>?
    var terminal: (any Error)?? = nil  // .some(nil) = finished cleanly
    var consumedSinceGrant = 0
  }

  private let state = Mutex(State())
  /// Bytes consumed before a grant is sent back to the peer.
  private let grantThreshold: Int
  /// Called (outside the lock) with the bytes to re-open in the peer's send window.
  private let grant: @Sendable (Int) -> Void

  init(grantThreshold: Int, grant: @escaping @Sendable (Int) -> Void) {
    self.grantThreshold = Swift.max(1, grantThreshold)
    self.grant = grant
  }

  /// Adds a part; `bytes` is the MESSAGE payload it carries (0 for metadata).
  func append(_ part: Part, bytes: Int = 0) {
    let waiter: CheckedContinuation<Part?, any Error>? = self.state.withLock { state in
      guard state.terminal == nil else { return nil }
      if let waiter = state.waiter {
        state.waiter = nil
        return waiter
      }
      state.queue.append((part, bytes))
      return nil
    }
    if let waiter {
      // Handed straight to a waiting consumer: it counts as consumed.
      self.noteConsumed(bytes)
      waiter.resume(returning: part)
    }
  }

  /// Ends the sequence after the buffered parts (`error == nil`) or with an error.
  ///
  /// An error discards parts not yet read: after a cancel or a broken connection they
  /// are of no use.
  func finish(throwing error: (any Error)? = nil) {
    let waiter: CheckedContinuation<Part?, any Error>? = self.state.withLock { state in
      guard state.terminal == nil else { return nil }
      state.terminal = .some(error)
      if error != nil { state.queue.removeAll() }
      let waiter = state.waiter
      state.waiter = nil
      return waiter
    }
    if let waiter {
      if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }
  }

  private func noteConsumed(_ bytes: Int) {
    guard bytes > 0 else { return }
    let toGrant: Int = self.state.withLock { state in
      state.consumedSinceGrant += bytes
      guard state.consumedSinceGrant >= self.grantThreshold else { return 0 }
      defer { state.consumedSinceGrant = 0 }
      return state.consumedSinceGrant
    }
    if toGrant > 0 { self.grant(toGrant) }
  }

  private enum Step {
    case part(Part, bytes: Int)
    case end
    case failure(any Error)
    case waiting
  }

  /// Takes the next part if there is one; otherwise parks `continuation` (when given).
  private func step(parking continuation: CheckedContinuation<Part?, any Error>?) -> Step {
    self.state.withLock { state in
      if let (part, bytes) = state.queue.popFirst() { return .part(part, bytes: bytes) }
      switch state.terminal {
      case .some(.none): return .end
      case .some(.some(let error)): return .failure(error)
      case .none:
        if let continuation { state.waiter = continuation }
        return .waiting
      }
    }
  }

  fileprivate func next() async throws -> Part? {
    switch self.step(parking: nil) {
    case .part(let part, let bytes):
      self.noteConsumed(bytes)
      return part
    case .end:
      return nil
    case .failure(let error):
      throw error
    case .waiting:
      return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
          switch self.step(parking: continuation) {
          case .part(let part, let bytes):
            self.noteConsumed(bytes)
            continuation.resume(returning: part)
          case .end:
            continuation.resume(returning: nil)
          case .failure(let error):
            continuation.resume(throwing: error)
          case .waiting:
            ()  // `append` or `finish` resumes it.
          }
        }
      } onCancel: {
        self.finish(throwing: CancellationError())
      }
    }
  }

  struct AsyncIterator: AsyncIteratorProtocol {
    let buffer: InboundBuffer<Part>
    mutating func next() async throws -> Part? {
      try await self.buffer.next()
    }
  }

  func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(buffer: self)
  }
}
