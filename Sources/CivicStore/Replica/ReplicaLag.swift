/// How stale a replica's data may be, from the primary's WAL position and the replica's
/// replay position sampled over time: a pure value, the clock given by the caller.
///
/// Each probe first notes the primary's position `P` at time `t`, then asks the replica how
/// far it has replayed (`R`). Once `R >= P`, the replica holds everything committed before
/// `t`, so its data is at most `now - t` old. Measuring in time rather than comparing LSNs at
/// one instant is what keeps an idle primary honest: with nothing written, the replica is
/// caught up at every probe, however long ago its last replayed transaction was
/// (`now() - pg_last_xact_replay_timestamp()` would call it stale).
public struct ReplicaLag: Sendable {
  /// The primary's positions, oldest first, kept while they may still explain a replay position.
  private var samples: [(at: ContinuousClock.Instant, position: WALPosition)] = []
  /// The newest time before which everything the primary had written is replayed.
  public private(set) var caughtUpAt: ContinuousClock.Instant?
  /// The replica's replay position at the last probe; nil while it is unreachable.
  public private(set) var replayed: WALPosition?
  /// How long a sample is kept (a little more than the staleness bound suffices).
  private let horizon: Duration

  public init(horizon: Duration) {
    self.horizon = horizon
  }

  /// Records the primary's WAL position, read at or after `time`.
  public mutating func primary(_ position: WALPosition, at time: ContinuousClock.Instant) {
    self.samples.append((time, position))
    // Keep the newest sample older than the horizon: it is the one a lagging replica matches.
    while self.samples.count > 1, self.samples[1].at < time - self.horizon {
      self.samples.removeFirst()
    }
  }

  /// Records how far the replica has replayed.
  public mutating func replica(replayed position: WALPosition) {
    self.replayed = position
    if let newest = self.samples.last(where: { $0.position <= position }) {
      self.caughtUpAt = max(self.caughtUpAt ?? newest.at, newest.at)
    }
  }

  /// The read endpoint is not a standby (it is a primary): always current. A sample of the
  /// primary's position must have been taken first.
  public mutating func replicaIsPrimary() {
    if let newest = self.samples.last {
      self.replica(replayed: newest.position)
    }
  }

  /// The replica did not answer: nothing is known until it answers again.
  public mutating func replicaUnreachable() {
    self.replayed = nil
    self.caughtUpAt = nil
  }

  /// How old the replica's data may be at `now`; nil when unknown (unreachable, or never
  /// caught up with a sample).
  public func staleness(at now: ContinuousClock.Instant) -> Duration? {
    guard self.replayed != nil, let caughtUpAt = self.caughtUpAt else { return nil }
    return max(.zero, caughtUpAt.duration(to: now))
  }
}
