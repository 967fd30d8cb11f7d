package import Logging
import Synchronization

/// One reader per instance and per feed: it reads each newly numbered range of the feed
/// once, keeps the newest events in memory (`FeedTailWindow`) and wakes every subscriber,
/// who filters them itself (`follow`). Without it each of N subscribers rereads every new
/// event with its own query: N reads per notification instead of one.
///
/// The reader runs inside the instance's `FeedListener`, woken by the feed's notifications
/// and at least once per `tick`. It reads only while someone subscribes; with no subscriber
/// it drops the window, and the next one starts it again at the newest sequence.
package final class FeedTail<Event: FeedSequenced>: Sendable {
  package struct Configuration: Sendable {
    /// Events held in memory; a subscriber further behind reads from the database.
    package var window: Int
    /// Events per read of the reader, and per step of a subscriber.
    package var batch: Int
    /// The longest the reader waits without a notification (one sent while the listener
    /// reconnects is lost; the tick covers it).
    package var tick: Duration

    package init(window: Int, batch: Int, tick: Duration) {
      self.window = window
      self.batch = batch
      self.tick = tick
    }

    /// 10,000 events (a few MiB), 1,000 per read, a tick every 250 ms.
    package static var defaults: Configuration { Configuration(window: 10_000, batch: 1_000, tick: .milliseconds(250)) }

    /// This configuration with `window` events held, if given (0: no tail; the feed's
    /// subscribers reread with queries of their own).
    package func window(_ window: Int?) -> Configuration {
      var configuration = self
      if let window { configuration.window = max(0, window) }
      return configuration
    }
  }

  private struct State {
    var window: FeedTailWindow<Event>?
    var subscribers: [Int: AsyncStream<Void>.Continuation] = [:]
  }

  package let configuration: Configuration
  private let state = Mutex(State())
  private let nextID = Atomic<Int>(0)
  /// The highest sequence numbered so far.
  private let readHead: @Sendable () async throws -> Int64
  /// At most `limit` events after `after`, unfiltered, in sequence order.
  private let readAfter: @Sendable (_ after: Int64, _ limit: Int) async throws -> [Event]
  private let logger: Logger

  package init(
    configuration: Configuration,
    logger: Logger,
    readHead: @escaping @Sendable () async throws -> Int64,
    readAfter: @escaping @Sendable (_ after: Int64, _ limit: Int) async throws -> [Event]
  ) {
    self.configuration = configuration
    self.logger = logger
    self.readHead = readHead
    self.readAfter = readAfter
  }

  /// Reads on every wake-up until `notifications` end or the task is cancelled; then ends
  /// every subscriber's wake-ups (their feeds return).
  package func run<Notification: Sendable>(notifications: AsyncStream<Notification>) async throws {
    defer { for subscriber in self.state.withLock({ $0.subscribers.values }) { subscriber.finish() } }
    try await Wakeups.run(notifications, tick: self.configuration.tick) { wakeups in
      for await _ in wakeups {
        do {
          try await self.advance()
        } catch {
          if Task.isCancelled { return }
          // The window stays valid (numbered events never change); the next wake-up retries.
          self.logger.warning("feed tail: cannot read, retrying", metadata: ["error": "\(error)"])
        }
      }
    }
  }

  /// Reads everything numbered since the window's head, a batch at a time, waking the
  /// subscribers after each batch.
  package func advance() async throws {
    let start = self.state.withLock { state -> (window: Bool, subscribers: Bool) in
      if state.subscribers.isEmpty { state.window = nil }
      return (state.window != nil, !state.subscribers.isEmpty)
    }
    guard start.subscribers else { return }
    if !start.window {
      let head = try await self.readHead()
      self.state.withLock { $0.window = $0.window ?? FeedTailWindow(head: head, capacity: self.configuration.window) }
    }
    while let head = self.state.withLock({ $0.window?.head }) {
      let events = try await self.readAfter(head, self.configuration.batch)
      let subscribers = self.state.withLock { state -> [AsyncStream<Void>.Continuation] in
        // Only this task moves the head; a window dropped meanwhile stays dropped.
        guard state.window?.head == head else { return [] }
        state.window?.append(events)
        return events.isEmpty ? [] : Array(state.subscribers.values)
      }
      for subscriber in subscribers { subscriber.yield() }
      if events.count < self.configuration.batch { return }
    }
  }

  /// What a subscriber at `cursor` gets from memory; nil while no window is held.
  package func read(after cursor: Int64, limit: Int) -> FeedTailWindow<Event>.Read? {
    self.state.withLock { $0.window?.read(after: cursor, limit: limit) }
  }

  /// Wake-ups after every batch the reader adds, until the caller stops iterating; a burst
  /// collapses into one. Subscribing also wakes the reader's interest: it reads while any
  /// subscription is open.
  package func subscribe() -> AsyncStream<Void> {
    let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    let id = self.nextID.wrappingAdd(1, ordering: .relaxed).newValue
    self.state.withLock { $0.subscribers[id] = continuation }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
    }
    return stream
  }

  /// Open subscriptions (tests, metrics).
  package var subscriberCount: Int { self.state.withLock { $0.subscribers.count } }

  /// The window's bounds, nil while none is held (tests).
  package var bounds: (start: Int64, head: Int64)? { self.state.withLock { $0.window.map { ($0.start, $0.head) } } }
}
