import Metrics

/// What a pool reports to swift-metrics: its size, connections in use and idle, callers
/// waiting for one, and how long leases waited (docs/MONITORING.md).
///
/// Only the server's own pool reports (`StorePool(configuration:logger:metrics:)`); the
/// short-lived pools of migrations and tests would overwrite its gauges.
public struct PoolMetrics: Sendable {
  private let size: Gauge
  private let inUse: Gauge
  private let idle: Gauge
  private let waiters: Gauge
  private let wait: Metrics.Timer
  /// Leases refused because the wait queue was full: admission control's `pool_queue`
  /// reason (docs/RELIABILITY.md), so all refusals sum in one counter.
  private let queueFull: Counter

  public init() {
    self.size = Gauge(label: "civicgrid_store_pool_size")
    self.inUse = Gauge(label: "civicgrid_store_pool_connections", dimensions: [("state", "in_use")])
    self.idle = Gauge(label: "civicgrid_store_pool_connections", dimensions: [("state", "idle")])
    self.waiters = Gauge(label: "civicgrid_store_pool_waiters")
    self.wait = Metrics.Timer(label: "civicgrid_store_pool_wait_seconds")
    self.queueFull = Counter(label: "civicgrid_admission_refusals_total", dimensions: [("reason", "pool_queue")])
  }

  func record(_ statistics: PoolStatistics) {
    self.size.record(statistics.capacity)
    self.inUse.record(statistics.inUse)
    self.idle.record(statistics.idle)
    self.waiters.record(statistics.waiters)
  }

  func recordWait(_ duration: Duration) {
    self.wait.record(duration: duration)
  }

  func recordQueueFull() {
    self.queueFull.increment()
  }
}

/// The pool's occupancy at one moment.
struct PoolStatistics: Sendable, Equatable {
  var capacity: Int
  /// Leased, or being opened for a lease.
  var inUse: Int
  var idle: Int
  var waiters: Int
}
