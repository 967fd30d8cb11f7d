package import CivicRepositories
public import CivicStore
public import Logging
public import ServiceLifecycle
import Synchronization

/// One LISTEN connection per instance for every feed subscriber (`WatchEvents`,
/// `WatchAlerts`): it listens on the feeds' channels and hands each notification to the
/// subscribers of its channel, so a thousand subscribers hold one PostgreSQL connection
/// between them, not one each.
///
/// Run it as a `Service` beside the server. While its connection is away (PostgreSQL down,
/// backend terminated) it reconnects; notifications sent meanwhile are lost, and each
/// subscriber's feed rereads at least once per tick from its cursor (`SequencedFeed`), so
/// no row is. At shutdown every subscriber's stream ends.
///
/// With a `principalCache`, it also listens for changes to who a token acts as and tells the
/// cache of each, and of every connection and loss (`PrincipalCache`).
public final class FeedListener: Service, Sendable {
  /// The channels of the feeds: case events (notified by the sequencer) and alerts.
  static let channels = [CaseRepository.notifyChannel, AlertWriter.notifyChannel]

  private struct Subscriber {
    var channel: String
    /// A shared tail's reader, not a subscriber of its own (`subscriberCount`).
    var isTail = false
    var continuation: AsyncStream<StoreNotification>.Continuation
  }

  private let store: StorePool
  private let logger: Logger
  let principalCache: PrincipalCache?
  /// The subscribers' rereads share half the pool (`FeedReadGate`).
  package let reads: FeedReadGate
  /// The case events read once for every WatchEvents subscriber (`FeedTail`).
  package let events: FeedTail<CaseEventRow>
  /// The alerts read once for every WatchAlerts subscriber (`FeedTail`).
  package let alerts: FeedTail<AlertRow>
  private let subscribers = Mutex<[Int: Subscriber]>([:])
  private let nextID = Atomic<Int>(0)

  /// - Parameter eventWindow: case events the shared tail holds in memory (default 10,000);
  ///   a subscriber further behind catches up from the database. 0 turns the tail off: each
  ///   subscriber rereads with its own query, as before issue 15 (for comparison).
  /// - Parameter alertWindow: the same for alerts and WatchAlerts subscribers (default 10,000).
  public init(store: StorePool, logger: Logger, principalCache: PrincipalCache? = nil, eventWindow: Int? = nil, alertWindow: Int? = nil) {
    self.store = store
    self.logger = logger
    self.principalCache = principalCache
    self.reads = FeedReadGate(limit: store.configuration.poolSize / 2)
    self.events = FeedTail(
      configuration: .defaults.window(eventWindow),
      logger: logger,
      readHead: { try await store.query(CaseEventFeed.head).scalar(Int64.self) ?? 0 },
      readAfter: { after, limit in try await store.query(CaseEventFeed.tail(after: after, limit: limit)).decode(CaseEventRow.self) }
    )
    self.alerts = FeedTail(
      configuration: .defaults.window(alertWindow),
      logger: logger,
      readHead: { try await store.query(AlertFeed.head).scalar(Int64.self) ?? 0 },
      readAfter: { after, limit in try await store.query(AlertFeed.tail(after: after, limit: limit)).decode(AlertRow.self) }
    )
  }

  /// Listens and runs the shared tails until graceful shutdown, reconnecting as needed; then
  /// ends every subscription.
  public func run() async throws {
    try? await cancelWhenGracefulShutdown {
      try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await self.listen() }
        group.addTask { try await self.events.run(notifications: self.subscribe(channel: CaseRepository.notifyChannel, isTail: true)) }
        group.addTask { try await self.alerts.run(notifications: self.subscribe(channel: AlertWriter.notifyChannel, isTail: true)) }
      }
    }
    for subscriber in self.subscribers.withLock({ $0.values }) { subscriber.continuation.finish() }
  }

  /// Listens and fans out until the task is cancelled; a failure to connect is retried.
  func listen() async throws {
    let cache = self.principalCache
    let channels = Self.channels + (cache == nil ? [] : [PrincipalCache.channel])
    defer { cache?.listening(false) }
    while !Task.isCancelled {
      do {
        try await self.store.withNotifications(
          channels: channels,
          ready: { cache?.listening(true) },
          lost: { cache?.listening(false) }
        ) { notifications in
          for await note in notifications { self.deliver(note) }
        }
        cache?.listening(false)
      } catch {
        cache?.listening(false)
        if Task.isCancelled { return }
        self.logger.warning("feed listener: cannot listen, retrying", metadata: ["error": "\(error)"])
        try? await Task.sleep(for: .milliseconds(500))
      }
    }
  }

  /// The notifications of `channel` from now on, until the caller stops iterating. Bursts
  /// collapse: a subscriber rereads from its cursor on any notification, so one is enough.
  func subscribe(channel: String, isTail: Bool = false) -> AsyncStream<StoreNotification> {
    let (stream, continuation) = AsyncStream.makeStream(of: StoreNotification.self, bufferingPolicy: .bufferingNewest(1))
    let id = self.nextID.wrappingAdd(1, ordering: .relaxed).newValue
    self.subscribers.withLock { $0[id] = Subscriber(channel: channel, isTail: isTail, continuation: continuation) }
    continuation.onTermination = { [weak self] _ in
      _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
    }
    return stream
  }

  /// How many feed subscriptions are open: those on the shared tails, and those rereading on
  /// the listener's notifications themselves (a tail's window of 0). The tails' readers'
  /// own subscriptions are not counted.
  public var subscriberCount: Int {
    self.subscribers.withLock { $0.values.filter { !$0.isTail }.count } + self.events.subscriberCount + self.alerts.subscriberCount
  }

  private func deliver(_ note: StoreNotification) {
    if note.channel == PrincipalCache.channel {
      self.principalCache?.invalidate()
      return
    }
    let targets = self.subscribers.withLock { $0.values.filter { $0.channel == note.channel }.map(\.continuation) }
    for continuation in targets { continuation.yield(note) }
  }
}
