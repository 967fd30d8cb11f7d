import CivicProtos
import CivicWire
import Foundation
import GRPCCore
import Synchronization

/// ops/bench/intake: the feed's latency, from a SubmitApplication reply to that case's
/// `submitted` event reaching each of `watchers.count` WatchEvents subscribers, with
/// `inFlight` submitters running for `seconds`. Prints `samples p50_ms p99_ms missing`, over
/// every (subscriber, case) pair. An event that arrives before its reply counts 0.
enum FeedLatency {
  /// - Parameter watchers: The client of each subscriber (several subscribers share one).
  static func measure(
    client: GRPCClient<CivicWireClientTransport>,
    watchers: [GRPCClient<CivicWireClientTransport>],
    submitter: Metadata,
    watcher: Metadata,
    item: String,
    inFlight: Int,
    seconds: Double
  ) async throws -> (samples: Int, p50: Double, p99: Double, missing: Int) {
    let replied = Times()
    let arrivals = watchers.map { _ in Times() }
    let cases = Civicgrid_V1_Cases.Client(wrapping: client)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for (watcherClient, arrived) in zip(watchers, arrivals) {
        group.addTask {
          try await Civicgrid_V1_Cases.Client(wrapping: watcherClient).watchEvents(.init(), metadata: watcher) { response in
            for try await event in response.messages where event.kind == "submitted" {
              let now = ContinuousClock.now
              arrived.times.withLock { if $0[event.caseID] == nil { $0[event.caseID] = now } }
            }
          }
        }
      }
      // Every subscription open and the replay of older events over first.
      try await Task.sleep(for: .seconds(2 + Double(watchers.count) / 100))
      let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
      try await withThrowingTaskGroup(of: Void.self) { submitters in
        for _ in 0..<inFlight {
          submitters.addTask {
            while ContinuousClock.now < end {
              let submitted = try await cases.submitApplication(.bench(item: item, applicant: "Latency Probe"), metadata: submitter)
              let now = ContinuousClock.now
              replied.times.withLock { $0[submitted.id] = now }
            }
          }
        }
        try await submitters.waitForAll()
      }
      // Bounded wait for the last events.
      let sent = replied.times.withLock { $0 }
      for _ in 0..<200 where arrivals.contains(where: { arrived in arrived.times.withLock { got in sent.keys.contains { got[$0] == nil } } }) {
        try await Task.sleep(for: .milliseconds(50))
      }
      group.cancelAll()
    }
    let sent = replied.times.withLock { $0 }
    var latencies: [Double] = []
    for arrived in arrivals {
      let got = arrived.times.withLock { $0 }
      for (id, reply) in sent {
        guard let arrival = got[id] else { continue }
        let elapsed = reply.duration(to: arrival)
        latencies.append(max(0, Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15))
      }
    }
    latencies.sort()
    let expected = sent.count * arrivals.count
    guard !latencies.isEmpty else { return (0, 0, 0, expected) }
    return (
      latencies.count, latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
      expected - latencies.count
    )
  }
}

/// Times by case id, shared between the watcher and the submitters.
final class Times: Sendable {
  let times = Mutex<[String: ContinuousClock.Instant]>([:])
}
