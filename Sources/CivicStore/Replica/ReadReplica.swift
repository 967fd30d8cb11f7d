public import Logging
public import ServiceLifecycle
import Synchronization

/// A streaming replica that serves read-only work while its data is fresh enough, and the
/// primary that serves it otherwise (docs/SCALING.md, "Reads from a replica").
///
/// Run it as a ServiceLifecycle `Service`: every `probeInterval` it reads the primary's WAL
/// position and then the replica's replay position, and keeps `ReplicaLag`. `pool(after:)`
/// applies `ReadRoute` to it for one read.
public final class ReadReplica: Service, Sendable {
  public struct Configuration: Sendable {
    /// The most staleness a read may be served with (default 2 s); an older replica, or
    /// one that does not answer, leaves every read to the primary.
    public var maxLag: Duration
    /// Between two probes (default 100 ms); a healthy replica's measured staleness is about
    /// this much.
    public var probeInterval: Duration
    /// How long a read waits for the replica to replay its caller's newest write before it
    /// goes to the primary (default 100 ms).
    public var maxReplayWait: Duration

    /// 2 s bound, 100 ms probes, 100 ms wait.
    public static var defaults: Self {
      Self(maxLag: .seconds(2), probeInterval: .milliseconds(100), maxReplayWait: .milliseconds(100))
    }
  }

  public let primary: StorePool
  public let replica: StorePool
  public let configuration: Configuration
  private let lag: Mutex<ReplicaLag>
  private let logger: Logger
  private let counters = ReadRouteCounters()

  public init(primary: StorePool, replica: StorePool, configuration: Configuration = .defaults, logger: Logger) {
    self.primary = primary
    self.replica = replica
    self.configuration = configuration
    self.logger = logger
    self.lag = Mutex(ReplicaLag(horizon: configuration.maxLag * 2))
  }

  /// Probes until graceful shutdown, then closes the replica's pool.
  public func run() async throws {
    var wasFresh: Bool?
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      await self.probe()
      let staleness = self.staleness
      let fresh = staleness.map { $0 <= self.configuration.maxLag } ?? false
      if fresh != wasFresh {
        self.logger.notice(
          fresh ? "store.replica serving reads" : "store.replica not serving reads: reads go to the primary",
          metadata: ["replica.staleness": "\(staleness.map { "\($0)" } ?? "unknown")", "replica.max_lag": "\(self.configuration.maxLag)"]
        )
        wasFresh = fresh
      }
      self.counters.recordStaleness(staleness)
      try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.configuration.probeInterval) }
    }
    await self.replica.close()
  }

  /// One measurement: the primary's position first, then the replica's replay position.
  func probe() async {
    let asked = ContinuousClock.now
    // Outside any call's routing: these must reach the pools they name.
    await StoreRouting.$readPool.withValue(nil) {
      guard let written = try? await self.primary.query("SELECT pg_current_wal_lsn()::text").scalar(String.self).flatMap({ WALPosition($0) }) else {
        return  // Nothing to compare with; the staleness grows until the primary answers.
      }
      self.lag.withLock { $0.primary(written, at: asked) }
      do {
        let row = try await self.replica.query("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text").rows[0]
        let (recovering, replayed) = try row.decode((Bool, String?).self)
        self.lag.withLock {
          if !recovering {
            $0.replicaIsPrimary()
          } else if let replayed = replayed.flatMap({ WALPosition($0) }) {
            $0.replica(replayed: replayed)
          } else {
            $0.replicaUnreachable()
          }
        }
      } catch {
        self.lag.withLock { $0.replicaUnreachable() }
      }
    }
  }

  /// How old the replica's data may be now; nil when unknown.
  public var staleness: Duration? {
    self.lag.withLock { $0.staleness(at: .now) }
  }

  /// The pool for one read that must see every write up to `required`: the replica when it
  /// is within the bound and has replayed `required` (waiting up to `maxReplayWait` for
  /// that), else the primary. Counted in `civicgrid_store_reads_total`.
  public func pool(after required: WALPosition?) async -> (pool: StorePool, route: ReadRoute) {
    var route = self.decide(required: required, waited: false)
    if case .waitForReplay(let position) = route {
      let deadline = ContinuousClock.now + self.configuration.maxReplayWait
      var replayed = false
      while !replayed && ContinuousClock.now < deadline {
        replayed = await self.replayed(position)
        if !replayed { try? await Task.sleep(for: .milliseconds(2)) }
      }
      route = replayed ? .replica : self.decide(required: required, waited: true)
    }
    self.counters.count(route)
    return (route == .replica ? self.replica : self.primary, route)
  }

  /// The primary's WAL position now: at or past every commit made before the call.
  public func primaryPosition() async -> WALPosition? {
    await StoreRouting.$readPool.withValue(nil) {
      try? await self.primary.query("SELECT pg_current_wal_lsn()::text").scalar(String.self).flatMap({ WALPosition($0) })
    }
  }

  /// Reads routed so far, by route and reason (tests; the metrics carry the same).
  public var routed: [String: Int] { self.counters.snapshot }

  private func decide(required: WALPosition?, waited: Bool) -> ReadRoute {
    let (staleness, replayed) = self.lag.withLock { ($0.staleness(at: .now), $0.replayed) }
    return ReadRoute.decide(staleness: staleness, replayed: replayed, required: required, bound: self.configuration.maxLag, waited: waited)
  }

  /// Asks the replica itself whether it has replayed `position` (fresher than the last probe).
  private func replayed(_ position: WALPosition) async -> Bool {
    await StoreRouting.$readPool.withValue(nil) {
      guard let text = try? await self.replica.query("SELECT pg_last_wal_replay_lsn()::text").scalar(String?.self) else { return false }
      guard let replayed = text.flatMap({ WALPosition($0) }) else { return false }
      self.lag.withLock { $0.replica(replayed: replayed) }
      return replayed >= position
    }
  }
}
