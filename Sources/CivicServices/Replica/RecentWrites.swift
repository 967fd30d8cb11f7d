public import CivicStore
import Synchronization

/// The WAL position of each account's newest write on this instance, kept for `window`, so
/// the account's next reads see its own writes without sending `civicgrid-min-lsn`.
///
/// An entry older than the replica's staleness bound is dropped: a replica within the bound
/// has replayed everything written before `now - bound`, that write included.
public final class RecentWrites: Sendable {
  private let window: Duration
  private let entries = Mutex<[Int64: (position: WALPosition, at: ContinuousClock.Instant)]>([:])
  /// Above this many accounts, a write first sweeps the expired entries out.
  private static let sweepAbove = 4096

  public init(window: Duration) {
    self.window = window
  }

  public func record(account: Int64, position: WALPosition, at now: ContinuousClock.Instant = .now) {
    let window = self.window
    self.entries.withLock { entries in
      if entries.count >= Self.sweepAbove {
        entries = entries.filter { now - $0.value.at <= window }
      }
      entries[account] = (max(position, entries[account]?.position ?? position), now)
    }
  }

  /// The newest write `account` must see, if it wrote within the window.
  public func position(for account: Int64, at now: ContinuousClock.Instant = .now) -> WALPosition? {
    self.entries.withLock { entries in
      guard let entry = entries[account], now - entry.at <= self.window else { return nil }
      return entry.position
    }
  }
}
