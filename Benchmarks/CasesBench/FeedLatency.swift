import CivicProtos
import CivicWire
import Foundation
import GRPCCore
import Synchronization

/// ops/bench/intake and ops/bench/alerts: a feed's latency, from the reply of the call that
/// wrote an entry to that entry reaching each of `watchers.count` subscribers, with `inFlight`
/// writers running for `seconds`, either as fast as they can (closed loop: the server at its
/// ceiling) or paced to `rate` writes a second between them (open loop: a load below the
/// ceiling). Prints `samples p50_ms p99_ms missing`, over every (subscriber, entry) pair. An
/// entry that arrives before its reply counts 0.
enum FeedLatency {
  /// A feed to time: how a subscriber watches it and how a writer adds one entry to it.
  struct Feed: Sendable {
    /// Watches until cancelled, calling `arrived` with each entry's key.
    var watch: @Sendable (_ client: GRPCClient<CivicWireClientTransport>, _ arrived: @escaping @Sendable (String) -> Void) async throws -> Void
    /// Writes one entry and returns its key.
    var write: @Sendable (_ client: GRPCClient<CivicWireClientTransport>) async throws -> String

    /// WatchEvents from event `after`: each SubmitApplication's `submitted` event, keyed by case id.
    static func events(item: String, after: Int64, submitter: Metadata, watcher: Metadata) -> Feed {
      Feed(
        watch: { client, arrived in
          var request = Civicgrid_V1_WatchEventsRequest()
          request.after = after
          try await Civicgrid_V1_Cases.Client(wrapping: client).watchEvents(request, metadata: watcher) { response in
            for try await event in response.messages where event.kind == "submitted" { arrived(event.caseID) }
          }
        },
        write: { client in
          try await Civicgrid_V1_Cases.Client(wrapping: client).submitApplication(.bench(item: item, applicant: "Latency Probe"), metadata: submitter).id
        }
      )
    }

    /// WatchAlerts (notices only) from alert `after`: each PublishNotice's alert, keyed by notice id.
    static func alerts(after: Int64, publisher: Metadata, watcher: Metadata) -> Feed {
      Feed(
        watch: { client, arrived in
          var request = Civicgrid_V1_WatchAlertsRequest()
          request.after = after
          request.filter.kinds = [.notice]
          try await Civicgrid_V1_Supervision.Client(wrapping: client).watchAlerts(request, metadata: watcher) { response in
            for try await alert in response.messages { arrived(String(alert.recordID)) }
          }
        },
        write: { client in
          var notice = Civicgrid_V1_PublishNoticeRequest()
          notice.kind = .commendation
          notice.unitCode = "QH-S1"
          notice.period = "2026-Q4"
          notice.title = "Bench notice"
          notice.body = "Published by ops/bench/alerts to time alert delivery."
          return String(try await Civicgrid_V1_Supervision.Client(wrapping: client).publishNotice(notice, metadata: publisher).id)
        }
      )
    }
  }

  /// - Parameter watchers: The client of each subscriber (several subscribers share one).
  static func measure(
    _ feed: Feed,
    client: GRPCClient<CivicWireClientTransport>,
    watchers: [GRPCClient<CivicWireClientTransport>],
    inFlight: Int,
    seconds: Double,
    rate: Double? = nil
  ) async throws -> (samples: Int, p50: Double, p99: Double, missing: Int) {
    let replied = Times()
    let arrivals = watchers.map { _ in Times() }
    try await withThrowingTaskGroup(of: Void.self) { group in
      for (watcherClient, arrived) in zip(watchers, arrivals) {
        group.addTask {
          try await feed.watch(watcherClient) { key in
            let now = ContinuousClock.now
            arrived.times.withLock { if $0[key] == nil { $0[key] = now } }
          }
        }
      }
      // Every subscription open and the replay of older entries over first.
      try await Task.sleep(for: .seconds(2 + Double(watchers.count) / 100))
      let begin = ContinuousClock.now
      let end = begin + .milliseconds(Int64(seconds * 1000))
      try await withThrowingTaskGroup(of: Void.self) { writers in
        for writer in 0..<inFlight {
          writers.addTask {
            var sent = 0
            while ContinuousClock.now < end {
              if let rate {
                // Write k of this writer is due at (k × inFlight + writer) ÷ rate; a writer
                // behind its schedule writes at once.
                let due = begin + .microseconds(Int64(Double(sent * inFlight + writer) / rate * 1_000_000))
                if due >= end { break }
                if due > ContinuousClock.now { try await Task.sleep(until: due) }
                sent += 1
              }
              let key = try await feed.write(client)
              let now = ContinuousClock.now
              replied.times.withLock { $0[key] = now }
            }
          }
        }
        try await writers.waitForAll()
      }
      // Bounded wait for the last entries.
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
      for (key, reply) in sent {
        guard let arrival = got[key] else { continue }
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

/// Times by key, shared between the watchers and the writers.
final class Times: Sendable {
  let times = Mutex<[String: ContinuousClock.Instant]>([:])
}
