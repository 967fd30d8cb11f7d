import Metrics
import Synchronization

/// `civicgrid_store_reads_total{pool, reason}` and `civicgrid_store_replica_staleness_seconds`,
/// made once; also kept in process for tests.
final class ReadRouteCounters: Sendable {
  private let counters: [String: Counter]
  private let staleness = Gauge(label: "civicgrid_store_replica_staleness_seconds")
  private let counts = Mutex<[String: Int]>([:])

  init() {
    var counters = ["replica": Counter(label: "civicgrid_store_reads_total", dimensions: [("pool", "replica"), ("reason", "fresh")])]
    for reason in ReadRoute.Reason.allCases {
      counters[reason.rawValue] = Counter(label: "civicgrid_store_reads_total", dimensions: [("pool", "primary"), ("reason", reason.rawValue)])
    }
    self.counters = counters
  }

  /// The key of a route: `replica`, or the primary's reason.
  static func key(_ route: ReadRoute) -> String {
    switch route {
    case .replica, .waitForReplay: "replica"
    case .primary(let reason): reason.rawValue
    }
  }

  func count(_ route: ReadRoute) {
    let key = Self.key(route)
    self.counters[key]?.increment()
    self.counts.withLock { $0[key, default: 0] += 1 }
  }

  /// Unknown staleness (the replica does not answer) reads as -1.
  func recordStaleness(_ staleness: Duration?) {
    self.staleness.record(staleness.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? -1)
  }

  var snapshot: [String: Int] { self.counts.withLock { $0 } }
}
