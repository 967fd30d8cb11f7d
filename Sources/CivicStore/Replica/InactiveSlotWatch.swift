public import Logging
import Metrics
public import ServiceLifecycle

/// Watches the primary for a replication slot that no replica is using but that still holds an
/// xmin. A replica with `hot_standby_feedback` that stopped leaves one: until it returns or the
/// slot is dropped, vacuum removes no row version newer than that xmin, in any database
/// (docs/OPERATIONS.md, "A stopped replica also holds back vacuum"). Publishes the oldest such
/// xmin's age in transactions as `civicgrid_store_inactive_slot_xmin_age` (0 when there is none)
/// and logs a warning when a slot starts holding one, and a notice when none does any more.
public struct InactiveSlotWatch: Service {
  /// The oldest xmin held by a slot nobody uses.
  public struct Holdback: Sendable, Hashable {
    public var slot: String
    /// Transactions since the xmin (`age(xmin)`).
    public var age: Int64

    public init(slot: String, age: Int64) {
      self.slot = slot
      self.age = age
    }
  }

  /// What to log after an observation: pure, so the transitions are tested as values.
  public enum Report: Sendable, Hashable {
    case started(Holdback)
    case cleared
  }

  /// The last observation; `observe` says what changed.
  public struct State: Sendable {
    private var holding: String?

    public init() {}

    /// A report when a slot starts holding an xmin (or another slot is now the oldest), or when
    /// none holds one any more; nil while nothing changed.
    public mutating func observe(_ holdback: Holdback?) -> Report? {
      defer { self.holding = holdback?.slot }
      switch (self.holding, holdback) {
      case (nil, let now?): return .started(now)
      case (let before?, let now?) where before != now.slot: return .started(now)
      case (_?, nil): return .cleared
      default: return nil
      }
    }
  }

  private let pool: StorePool
  private let interval: Duration
  private let logger: Logger

  public init(pool: StorePool, interval: Duration = .seconds(60), logger: Logger) {
    self.pool = pool
    self.interval = interval
    self.logger = logger
  }

  /// The oldest xmin held by an inactive slot of this cluster, or nil. `pg_replication_slots`
  /// is readable by any role.
  public static func read(_ pool: StorePool) async throws -> Holdback? {
    try await pool.query(
      """
      SELECT slot_name::text, age(xmin)::bigint FROM pg_replication_slots
      WHERE NOT active AND xmin IS NOT NULL ORDER BY age(xmin) DESC LIMIT 1
      """
    ).decode((String, Int64).self).first.map { Holdback(slot: $0.0, age: $0.1) }
  }

  public func run() async throws {
    let gauge = Gauge(label: "civicgrid_store_inactive_slot_xmin_age")
    var state = State()
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      // A failed read is nil (PostgreSQL away: the health monitor says so, and this waits for
      // the next look); a read that found no such slot is `.some(nil)`.
      if let holdback = try? await Self.read(self.pool) as Holdback?? {
        gauge.record(holdback?.age ?? 0)
        self.log(state.observe(holdback))
      }
      try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
    }
  }

  private func log(_ report: Report?) {
    switch report {
    case .started(let oldest):
      self.logger.warning(
        """
        store: replication slot \(oldest.slot) is inactive and holds an xmin \(oldest.age) transactions old: vacuum removes \
        nothing newer in any database until its replica returns or the slot is dropped
        """,
        metadata: ["db.slot": "\(oldest.slot)", "db.xmin_age": "\(oldest.age)"]
      )
    case .cleared:
      self.logger.notice("store: no inactive replication slot holds an xmin any more")
    case nil:
      break
    }
  }
}
