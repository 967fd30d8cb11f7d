public import CivicStore
import Synchronization

/// The WAL position of each account's newest write on this instance, kept for `window`, so
/// the account's next reads see its own writes without sending `civicgrid-min-lsn`.
///
/// An entry older than the replica's staleness bound is dropped: a replica within the bound
/// has replayed everything written before `now - bound`, that write included.
public final class RecentWrites: Sendable {
  private let window: Duration
  private let state = Mutex(State())
  /// The fewest accounts at which a write first sweeps the expired entries out.
  public static let sweepAbove = 4096

  private struct State {
    var entries: [Int64: (position: WALPosition, at: ContinuousClock.Instant)] = [:]
    /// The count at which the next write sweeps: twice what the last sweep kept, so a sweep's
    /// cost is spread over at least as many writes as it kept entries (amortised O(1) a write,
    /// instead of a full pass on every write once many accounts are live).
    var sweepAt = RecentWrites.sweepAbove
  }

  public init(window: Duration) {
    self.window = window
  }

  public func record(account: Int64, position: WALPosition, at now: ContinuousClock.Instant = .now) {
    let window = self.window
    self.state.withLock { state in
      if state.entries.count >= state.sweepAt {
        state.entries = state.entries.filter { now - $0.value.at <= window }
        state.sweepAt = max(Self.sweepAbove, 2 * state.entries.count)
      }
      state.entries[account] = (max(position, state.entries[account]?.position ?? position), now)
    }
  }

  /// The newest write `account` must see, if it wrote within the window.
  /// How many accounts are held, expired ones not yet swept included.
  public var count: Int { self.state.withLock { $0.entries.count } }

  public func position(for account: Int64, at now: ContinuousClock.Instant = .now) -> WALPosition? {
    self.state.withLock { state in
      guard let entry = state.entries[account], now - entry.at <= self.window else { return nil }
      return entry.position
    }
  }
}
