import CivicStore
import CivicTestSupport
import ServiceLifecycle
import Synchronization
import Testing

@Suite("Store health monitor", .timeLimit(.minutes(1)))
struct StoreHealthMonitorTests {
  @Test("reports reachable for the test database and unreachable for a closed port")
  func reportsReachability() async throws {
    let closed = StoreConfiguration(connectionString: "postgresql://postgres@127.0.0.1:\(closedLoopbackPort())/postgres", poolSize: 1)
    for (configuration, expected) in [(try TestDatabase.configuration(poolSize: 1), true), (closed, false)] {
      try await TestDatabase.withPool(configuration) { pool in
        let reports = Reports()
        let monitor = StoreHealthMonitor(pool: pool, interval: .milliseconds(50)) { reports.append($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
          group.addTask { try await monitor.run() }
          _ = try await eventually { !reports.values.isEmpty }
          group.cancelAll()
        }
        #expect(reports.values.first == expected)
      }
    }
  }
}

/// Reachability reports collected across tasks.
final class Reports: Sendable {
  private let storage = Mutex<[Bool]>([])
  func append(_ value: Bool) { self.storage.withLock { $0.append(value) } }
  var values: [Bool] { self.storage.withLock { $0 } }
}
