import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import CivicWire
import Foundation
import GRPCCore
import Logging
import Synchronization

/// ops/bench/supervision: the three measurements of issue 6 and their references, each printing
/// one line of numbers for the script's tables.
///
///     SupervisionBench sweep URL EPOCH WORKERS [BATCH]  one warning sweep at EPOCH (the injected
///                                                       clock): `seconds cases changes urges proposals`
///     SupervisionBench assessment PORT TOKEN PERIOD N   GetAssessment N times: `units min_ms median_ms max_ms`
///     SupervisionBench metrics PORT TOKEN PERIOD N      GetMetrics of the root's subtree N times:
///                                                       `cases min_ms median_ms max_ms`
///     SupervisionBench alerts PORT_A PORT_B TOKEN N     N notices published on instance A, each awaited
///                                                       on a WatchAlerts stream of instance B:
///                                                       `p50_ms p99_ms max_ms`
///     SupervisionBench notify URL N                     the reference: pg_notify on one connection to
///                                                       LISTEN on another: `p50_ms p99_ms max_ms`
@main
struct SupervisionBench {
  static func main() async throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    do {
      switch (arguments.first, arguments.count) {
      case ("sweep", 4), ("sweep", 5):
        try await Self.sweep(
          url: arguments[1], epoch: try Self.int(arguments[2]), workers: try Self.int(arguments[3]),
          batchSize: arguments.count == 5 ? try Self.int(arguments[4]) : WarningSweeper.Configuration.defaults.batchSize
        )
      case ("assessment", 5), ("metrics", 5):
        try await Self.evaluation(
          arguments[0],
          port: try Self.int(arguments[1]),
          token: arguments[2],
          period: arguments[3],
          count: try Self.int(arguments[4])
        )
      case ("alerts", 5):
        try await Self.alerts(
          publishPort: try Self.int(arguments[1]),
          watchPort: try Self.int(arguments[2]),
          token: arguments[3],
          count: try Self.int(arguments[4])
        )
      case ("notify", 3): try await Self.notify(url: arguments[1], count: try Self.int(arguments[2]))
      default: throw UsageError(message: "usage: SupervisionBench sweep|assessment|metrics|alerts|notify … (see the source's header)")
      }
    } catch let error as UsageError {
      FileHandle.standardError.write(Data((error.message + "\n").utf8))
      exit(64)
    }
  }

  struct UsageError: Error {
    let message: String
  }

  static func int(_ text: String) throws -> Int {
    guard let value = Int(text) else { throw UsageError(message: "not a number: \(text)") }
    return value
  }

  static func pool(_ url: String, size: Int) -> StorePool {
    StorePool(configuration: StoreConfiguration(connectionString: url, poolSize: size), logger: Logger(label: "bench"))
  }

  static func metadata(_ token: String) -> Metadata {
    var metadata = Metadata()
    metadata.addString("Bearer \(token)", forKey: "authorization")
    return metadata
  }

  /// Milliseconds of `duration`.
  static func ms(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
  }

  /// The value at fraction `q` of sorted `values` (nearest rank).
  static func percentile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
  }

  static func sweep(url: String, epoch: Int, workers: Int, batchSize: Int) async throws {
    let pool = Self.pool(url, size: workers)
    let sweeper = WarningSweeper(
      store: pool,
      configuration: .init(batchSize: batchSize, interval: .seconds(5), workers: workers),
      logger: Logger(label: "bench"),
      now: { Instant(secondsSinceEpoch: epoch) }
    )
    let clock = ContinuousClock()
    let start = clock.now
    let pass = try await sweeper.sweep()
    let elapsed = clock.now - start
    await pool.close()
    print(String(format: "%.3f %d %d %d %d", Self.ms(elapsed) / 1_000, pass.casesExamined, pass.changes, pass.urges, pass.proposals))
  }

  static func evaluation(_ mode: String, port: Int, token: String, period: String, count: Int) async throws {
    let metadata = Self.metadata(token)
    let transport = try CivicWireClientTransport(host: "127.0.0.1", port: port)
    let (size, times) = try await withGRPCClient(transport: transport) { client in
      let evaluation = Civicgrid_V1_Evaluation.Client(wrapping: client)
      var times: [Double] = []
      var size = 0
      let clock = ContinuousClock()
      for _ in 0..<count {
        let start = clock.now
        if mode == "assessment" {
          var request = Civicgrid_V1_GetAssessmentRequest()
          request.period = period
          size = try await evaluation.getAssessment(request, metadata: metadata).units.count
        } else {
          var request = Civicgrid_V1_GetMetricsRequest()
          request.period = period
          request.subtree = true
          let metrics = try await evaluation.getMetrics(request, metadata: metadata)
          size = Int(metrics.figures.first?.denominator ?? 0)
        }
        times.append(Self.ms(clock.now - start))
      }
      return (size, times)
    }
    print(String(format: "%d %.1f %.1f %.1f", size, times.min()!, Self.percentile(times, 0.5), times.max()!))
  }

  /// When each notice's alert reached the subscriber, by notice id.
  final class Arrivals: Sendable {
    private let seen = Mutex<[Int64: ContinuousClock.Instant]>([:])

    func record(_ id: Int64) { self.seen.withLock { _ = $0.updateValue(ContinuousClock.now, forKey: id) } }

    /// Waits (polling every 200 µs; the arrival time is stamped by the subscriber) for `id`.
    func wait(for id: Int64, timeout: Duration) async throws -> ContinuousClock.Instant {
      let deadline = ContinuousClock.now + timeout
      while ContinuousClock.now < deadline {
        if let at = self.seen.withLock({ $0[id] }) { return at }
        try await Task.sleep(for: .microseconds(200))
      }
      throw UsageError(message: "the alert of notice \(id) did not arrive within \(timeout)")
    }
  }

  static func alerts(publishPort: Int, watchPort: Int, token: String, count: Int) async throws {
    let metadata = Self.metadata(token)
    let arrivals = Arrivals()
    let publisher = try CivicWireClientTransport(host: "127.0.0.1", port: publishPort)
    let watcher = try CivicWireClientTransport(host: "127.0.0.1", port: watchPort)
    let latencies = try await withGRPCClient(transport: watcher) { watchClient in
      try await withGRPCClient(transport: publisher) { publishClient in
        try await withThrowingTaskGroup(of: Void.self) { group in
          group.addTask {
            var request = Civicgrid_V1_WatchAlertsRequest()
            request.filter.kinds = [.notice]
            // Notices of earlier runs on a kept database arrive too; only this run's are awaited.
            try await Civicgrid_V1_Supervision.Client(wrapping: watchClient).watchAlerts(request, metadata: metadata) { response in
              for try await alert in response.messages { arrivals.record(alert.recordID) }
            }
          }
          // Let the subscription reach instance B and its LISTEN take effect before the first notice.
          try await Task.sleep(for: .seconds(1))
          let supervision = Civicgrid_V1_Supervision.Client(wrapping: publishClient)
          var latencies: [Double] = []
          for index in 0..<count {
            var notice = Civicgrid_V1_PublishNoticeRequest()
            notice.kind = .commendation
            notice.unitCode = "QH-S1"
            notice.period = "2026-Q4"
            notice.title = "Bench notice \(index)"
            notice.body = "Published by ops/bench/supervision to time alert delivery across instances."
            let start = ContinuousClock.now
            let published = try await supervision.publishNotice(notice, metadata: metadata)
            let arrived = try await arrivals.wait(for: published.id, timeout: .seconds(10))
            latencies.append(Self.ms(arrived - start))
            try await Task.sleep(for: .milliseconds(10))
          }
          group.cancelAll()
          return latencies
        }
      }
    }
    print(String(format: "%.1f %.1f %.1f", Self.percentile(latencies, 0.5), Self.percentile(latencies, 0.99), latencies.max()!))
  }

  static func notify(url: String, count: Int) async throws {
    let pool = Self.pool(url, size: 1)
    let latencies = try await pool.withNotifications(channels: ["civicgrid_bench"]) { notifications in
      var iterator = notifications.makeAsyncIterator()
      var latencies: [Double] = []
      for index in 0..<count {
        let start = ContinuousClock.now
        try await pool.notify(channel: "civicgrid_bench", payload: "\(index)")
        _ = await iterator.next()
        latencies.append(Self.ms(ContinuousClock.now - start))
        try await Task.sleep(for: .milliseconds(10))
      }
      return latencies
    }
    await pool.close()
    print(String(format: "%.1f %.1f %.1f", Self.percentile(latencies, 0.5), Self.percentile(latencies, 0.99), latencies.max()!))
  }
}
