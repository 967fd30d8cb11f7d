/// Where one read-only call's statements go, decided from the replica's lag: a pure rule.
public enum ReadRoute: Sendable, Hashable {
  case replica
  /// The replica is fresh enough but has not replayed the caller's last write yet: wait a
  /// little (bounded) for it, then decide again with `waited`.
  case waitForReplay(WALPosition)
  case primary(Reason)

  /// Why a read went to the primary (the `reason` label of `civicgrid_store_reads_total`).
  public enum Reason: String, Sendable, Hashable, CaseIterable {
    /// The replica did not answer its last probe, or has never been measured.
    case replicaUnknown = "replica_unknown"
    /// Its data may be older than the staleness bound.
    case replicaLagging = "replica_lagging"
    /// It had not replayed the caller's own write after the bounded wait.
    case behindWrite = "behind_write"
  }

  /// - Parameters:
  ///   - staleness: How old the replica's data may be (`ReplicaLag.staleness`); nil: unknown.
  ///   - replayed: The replica's replay position, as last seen.
  ///   - required: The newest write the caller must see (its `civicgrid-min-lsn`, or its
  ///     account's last write on this instance); nil: none.
  ///   - bound: The most staleness a read may be served with.
  ///   - waited: Whether the call already waited for the replay.
  public static func decide(
    staleness: Duration?,
    replayed: WALPosition?,
    required: WALPosition?,
    bound: Duration,
    waited: Bool
  ) -> ReadRoute {
    guard let staleness, let replayed else { return .primary(.replicaUnknown) }
    guard staleness <= bound else { return .primary(.replicaLagging) }
    if let required, replayed < required {
      return waited ? .primary(.behindWrite) : .waitForReplay(required)
    }
    return .replica
  }
}
