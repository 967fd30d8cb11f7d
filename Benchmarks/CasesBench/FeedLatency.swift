import CivicProtos
import CivicWire
import Foundation
import GRPCCore
import Synchronization

/// ops/bench/intake: the feed's latency, from a SubmitApplication reply to that case's
/// `submitted` event reaching a WatchEvents subscriber, with `inFlight` submitters running for
/// `seconds`. Prints `samples p50_ms p99_ms missing`. An event that arrives before its reply
/// counts 0.
enum FeedLatency {
  static func measure(
    client: GRPCClient<CivicWireClientTransport>,
    submitter: Metadata,
    watcher: Metadata,
    item: String,
    inFlight: Int,
    seconds: Double
  ) async throws -> (samples: Int, p50: Double, p99: Double, missing: Int) {
    let (arrived, replied) = (Times(), Times())
    let cases = Civicgrid_V1_Cases.Client(wrapping: client)
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        try await cases.watchEvents(.init(), metadata: watcher) { response in
          for try await event in response.messages where event.kind == "submitted" {
            let now = ContinuousClock.now
            arrived.times.withLock { if $0[event.caseID] == nil { $0[event.caseID] = now } }
          }
        }
      }
      // The replay of older events first.
      try await Task.sleep(for: .seconds(2))
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
      for _ in 0..<100 where arrived.times.withLock({ got in sent.keys.contains { got[$0] == nil } }) {
        try await Task.sleep(for: .milliseconds(50))
      }
      group.cancelAll()
    }
    let sent = replied.times.withLock { $0 }
    let got = arrived.times.withLock { $0 }
    let latencies = sent.compactMap { id, reply -> Double? in
      guard let arrival = got[id] else { return nil }
      let elapsed = reply.duration(to: arrival)
      return max(0, Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }.sorted()
    guard !latencies.isEmpty else { return (0, 0, 0, sent.count) }
    return (
      latencies.count, latencies[latencies.count / 2], latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
      sent.count - latencies.count
    )
  }
}

/// Times by case id, shared between the watcher and the submitters.
final class Times: Sendable {
  let times = Mutex<[String: ContinuousClock.Instant]>([:])
}
