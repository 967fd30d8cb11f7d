internal import NIOCore
import Synchronization

/// The receive side of one stream: parts arrive from the event loop, one consumer task
/// reads them as an async sequence.
///
/// Buffering is bounded by flow control, not here: the peer may only send what the
/// stream's window allows, and the window is re-opened (`grant`) only as the consumer
/// takes messages out.
package final class InboundBuffer<Part: Sendable>: AsyncSequence, Sendable {
  package typealias Element = Part
  package typealias Failure = any Error

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
    let (waiter, toGrant): (CheckedContinuation<Part?, any Error>?, Int) = self.state.withLock { state in
      guard state.terminal == nil else { return (nil, 0) }
      if let waiter = state.waiter {
        // Handed straight to a waiting consumer: it counts as consumed.
        state.waiter = nil
        return (waiter, self.consume(bytes, &state))
      }
      state.queue.append((part, bytes))
      return (nil, 0)
    }
    if toGrant > 0 { self.grant(toGrant) }
    waiter?.resume(returning: part)
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

  /// Counts consumed bytes (under the lock); returns what to grant now, or 0.
  private func consume(_ bytes: Int, _ state: inout State) -> Int {
    state.consumedSinceGrant += bytes
    guard state.consumedSinceGrant >= self.grantThreshold else { return 0 }
    defer { state.consumedSinceGrant = 0 }
    return state.consumedSinceGrant
  }

  private enum Step {
    /// A part, and the window bytes to grant now that it is consumed (often 0).
    case part(Part, grant: Int)
    case end
    case failure(any Error)
    case waiting
  }

  /// Takes the next part if there is one; otherwise parks `continuation` (when given).
  private func step(parking continuation: CheckedContinuation<Part?, any Error>?) -> Step {
    self.state.withLock { state in
      if let (part, bytes) = state.queue.popFirst() { return .part(part, grant: self.consume(bytes, &state)) }
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
    case .part(let part, let toGrant):
      if toGrant > 0 { self.grant(toGrant) }
      return part
    case .end:
      return nil
    case .failure(let error):
      throw error
    case .waiting:
      return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
          switch self.step(parking: continuation) {
          case .part(let part, let toGrant):
            if toGrant > 0 { self.grant(toGrant) }
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

  package struct AsyncIterator: AsyncIteratorProtocol {
    let buffer: InboundBuffer<Part>
    package mutating func next() async throws -> Part? {
      try await self.buffer.next()
    }
  }

  package func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(buffer: self)
  }
}
