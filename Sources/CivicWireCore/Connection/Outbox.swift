internal import NIOCore
import Synchronization

/// Hands work from stream tasks to a connection's event loop in batches.
///
/// Stream tasks run off the event loop; each write would otherwise cost one event-loop
/// task. The outbox queues entries and schedules at most one drain at a time, so under
/// load many streams' frames go out in one pass with one flush.
final class Outbox<Entry: Sendable>: Sendable {
  private struct State {
    var entries: [Entry] = []
    var drainScheduled = false
  }

  private let state = Mutex(State())
  private let eventLoop: any EventLoop
  private let drain: @Sendable ([Entry]) -> Void

  /// `drain` runs on `eventLoop` with the entries in the order they were enqueued.
  init(eventLoop: any EventLoop, drain: @escaping @Sendable ([Entry]) -> Void) {
    self.eventLoop = eventLoop
    self.drain = drain
  }

  func enqueue(_ entry: Entry) {
    let schedule = self.state.withLock { state in
      state.entries.append(entry)
      guard !state.drainScheduled else { return false }
      state.drainScheduled = true
      return true
    }
    guard schedule else { return }
    self.eventLoop.execute {
      let batch = self.state.withLock { state in
        state.drainScheduled = false
        let batch = state.entries
        state.entries.removeAll(keepingCapacity: true)
        return batch
      }
      self.drain(batch)
    }
  }
}
