import Synchronization

/// Principals of bearer tokens seen lately, so a busy client's calls do not each cost a
/// database round trip to authenticate.
///
/// A cached principal is trusted only while it cannot be stale:
/// - the instance's listener is connected (`listening(_:)`), so it hears every change;
/// - no change that could alter a principal was announced since the entry was read: the
///   trigger of migration 0027 notifies `civicgrid_auth` on any change to tokens, accounts
///   or units, and each notification, connection or loss moves the epoch on;
/// - it is younger than `lifetime` and its token has not expired.
/// Lookups that miss read the database as before; refusals are never cached.
public final class PrincipalCache: Sendable {
  /// The channel the auth trigger notifies (migration 0027).
  public static let channel = "civicgrid_auth"

  struct Entry {
    var principal: Principal
    var epoch: UInt64
    var until: ContinuousClock.Instant
  }

  private struct State {
    var epoch: UInt64 = 0
    var listening = false
    var entries: [[UInt8]: Entry] = [:]
  }

  private let state = Mutex(State())
  private let lifetime: Duration
  private let capacity: Int

  public init(lifetime: Duration = .seconds(5), capacity: Int = 10_000) {
    self.lifetime = lifetime
    self.capacity = capacity
  }

  /// The epoch to read a principal under, or nil when nothing may be cached now.
  public func readEpoch() -> UInt64? {
    self.state.withLock { $0.listening ? $0.epoch : nil }
  }

  /// The cached principal of `digest`, if it is still trusted.
  public func principal(for digest: [UInt8], now: ContinuousClock.Instant = .now) -> Principal? {
    self.state.withLock { state in
      guard state.listening, let entry = state.entries[digest] else { return nil }
      guard entry.epoch == state.epoch, entry.until > now else {
        state.entries[digest] = nil
        return nil
      }
      return entry.principal
    }
  }

  /// Keeps `principal`, read from the database under `epoch`, unless something changed since.
  public func store(_ principal: Principal, for digest: [UInt8], readAt epoch: UInt64, tokenExpiresIn: Duration, now: ContinuousClock.Instant = .now) {
    let until = now + min(self.lifetime, tokenExpiresIn)
    self.state.withLock { state in
      guard state.listening, state.epoch == epoch else { return }
      if state.entries.count >= self.capacity { state.entries.removeAll(keepingCapacity: true) }
      state.entries[digest] = Entry(principal: principal, epoch: epoch, until: until)
    }
  }

  /// Something that could change a principal happened: trust nothing read before.
  public func invalidate() {
    self.state.withLock { state in
      state.epoch &+= 1
      state.entries.removeAll()
    }
  }

  /// The listener connected (true) or lost its connection (false); either way what was
  /// read before may have missed a notification.
  public func listening(_ connected: Bool) {
    self.state.withLock { state in
      state.epoch &+= 1
      state.listening = connected
      state.entries.removeAll()
    }
  }

  /// How many principals are held (tests).
  public var count: Int { self.state.withLock { $0.entries.count } }
}
