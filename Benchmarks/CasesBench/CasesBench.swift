import CivicProtos
import CivicRepositories
import CivicWire
import Foundation
import GRPCCore

/// ops/bench/cases and ops/bench/disputes: one method over CivicWire against a running
/// civicgridd, from N calls in flight for a fixed time after a one-second warm-up; prints
/// `calls/s p50_µs p99_µs`.
///
///     CasesBench PORT TOKEN submit ITEM_CODE IN_FLIGHT SECONDS      SubmitApplication (window)
///     CasesBench PORT TOKEN get MAX_CASE_ID IN_FLIGHT SECONDS       GetCase of random cases 1…MAX
///     CasesBench PORT TOKEN list FROM_ID IN_FLIGHT SECONDS          ListCases, 50 a page: the first
///                                                                   page (FROM_ID 0) or the page
///                                                                   below case FROM_ID (deep)
///     CasesBench PORT TOKEN dispute CATEGORY IN_FLIGHT SECONDS      SubmitDispute (grid worker's door)
///     CasesBench PORT TOKEN request CATEGORY IN_FLIGHT SECONDS      SubmitRequest (grid worker)
///     CasesBench PORT TOKEN feed WATCH_TOKEN IN_FLIGHT SECONDS [SUBSCRIBERS]
///                                                                   feed latency: SubmitApplication
///                                                                   (QH-MR-001) reply → its event
///                                                                   at each of SUBSCRIBERS (default 1)
///                                                                   WatchEvents subscribers, 100 a
///                                                                   connection, subscribed after event
///                                                                   FEED_AFTER (environment, default 0);
///                                                                   writers paced to FEED_RATE calls/s
///                                                                   between them (environment; default
///                                                                   none: as fast as they can); prints
///                                                                   `samples p50_ms p99_ms missing`
///     CasesBench PORT TOKEN alerts WATCH_TOKEN IN_FLIGHT SECONDS [SUBSCRIBERS]
///                                                                   the same for alerts: PublishNotice
///                                                                   (QH-S1) reply → its alert at each
///                                                                   WatchAlerts subscriber (notices),
///                                                                   subscribed after alert FEED_AFTER
///                                                                   (environment, default 0)
@main
struct CasesBench {
  static func main() async throws {
    let arguments = CommandLine.arguments
    guard arguments.count == 7 || (arguments.count == 8 && ["feed", "alerts"].contains(arguments[3])), let port = Int(arguments[1]),
      let inFlight = Int(arguments[5]), let seconds = Double(arguments[6])
    else {
      FileHandle.standardError.write(Data("usage: CasesBench PORT TOKEN submit|get|list|dispute|request ARG IN_FLIGHT SECONDS\n".utf8))
      exit(64)
    }
    var metadata = Metadata()
    metadata.addString("Bearer \(arguments[2])", forKey: "authorization")
    let (mode, argument) = (arguments[3], arguments[4])
    if mode == "feed" || mode == "alerts" {
      var watcher = Metadata()
      watcher.addString("Bearer \(argument)", forKey: "authorization")
      let subscribers = arguments.count == 8 ? Int(arguments[7]) ?? 0 : 1
      guard subscribers > 0 else { throw UsageError(message: "SUBSCRIBERS must be a positive count") }
      // A connection of their own for every 100 subscribers (a connection's stream limit).
      let watchClients = try (0..<(subscribers + 99) / 100).map { _ in
        GRPCClient(transport: try CivicWireClientTransport(host: "127.0.0.1", port: port))
      }
      let transport = try CivicWireClientTransport(host: "127.0.0.1", port: port)
      let result = try await withGRPCClient(transport: transport) { client in
        try await withThrowingTaskGroup(of: Void.self) { connections in
          for watchClient in watchClients { connections.addTask { try await watchClient.runConnections() } }
          defer { for watchClient in watchClients { watchClient.beginGracefulShutdown() } }
          let after = Int64(ProcessInfo.processInfo.environment["FEED_AFTER"] ?? "") ?? 0
          let feed: FeedLatency.Feed =
            mode == "feed"
            ? .events(item: "QH-MR-001", after: after, submitter: metadata, watcher: watcher)
            : .alerts(after: after, publisher: metadata, watcher: watcher)
          let rate = Double(ProcessInfo.processInfo.environment["FEED_RATE"] ?? "").flatMap { $0 > 0 ? $0 : nil }
          return try await FeedLatency.measure(
            feed, client: client, watchers: (0..<subscribers).map { watchClients[$0 / 100] }, inFlight: inFlight, seconds: seconds,
            rate: rate
          )
        }
      }
      print(String(format: "%d %.1f %.1f %d", result.samples, result.p50, result.p99, result.missing))
      return
    }
    let call: @Sendable (GRPCClient<CivicWireClientTransport>) async throws -> Void
    switch mode {
    case "submit":
      call = { [metadata] client in
        let cases = Civicgrid_V1_Cases.Client(wrapping: client)
        _ = try await cases.submitApplication(.bench(item: argument), metadata: metadata)
      }
    case "get":
      guard let maximum = Int(argument), maximum > 0 else { throw UsageError(message: "get needs the largest case id") }
      call = { [metadata] client in
        let cases = Civicgrid_V1_Cases.Client(wrapping: client)
        var request = Civicgrid_V1_GetCaseRequest()
        request.caseID = String(format: "C%08d", Int.random(in: 1...maximum))
        _ = try await cases.getCase(request, metadata: metadata)
      }
    case "list":
      guard let fromID = Int64(argument), fromID >= 0 else { throw UsageError(message: "list needs a case id, or 0 for the first page") }
      // The page below case FROM_ID: the token ListCases itself would issue after it.
      let token = fromID == 0 ? "" : PageToken(after: fromID).encoded
      call = { [metadata] client in
        let cases = Civicgrid_V1_Cases.Client(wrapping: client)
        var request = Civicgrid_V1_ListCasesRequest()
        request.pageSize = 50
        request.pageToken = token
        let page = try await cases.listCases(request, metadata: metadata)
        precondition(page.cases.count == 50, "a full page")
      }
    case "dispute":
      call = { [metadata] client in
        var request = Civicgrid_V1_SubmitDisputeRequest()
        request.type = .dispute
        request.category = .neighbourhood
        request.channel = .gridWorker
        request.summary = "Bench dispute"
        var applicant = Civicgrid_V1_DisputeParty()
        applicant.role = .applicant
        applicant.name = "Zhang Xiuying"
        applicant.idNumber = "110105195303150027"
        applicant.phone = "13800138000"
        var respondent = Civicgrid_V1_DisputeParty()
        respondent.role = .respondent
        respondent.name = "Li Wei"
        request.parties = [applicant, respondent]
        _ = try await Civicgrid_V1_Disputes.Client(wrapping: client).submitDispute(request, metadata: metadata)
      }
    case "request":
      call = { [metadata] client in
        var request = Civicgrid_V1_SubmitRequestRequest()
        request.type = .complaint
        request.category = argument
        request.channel = .gridWorker
        request.citizen.name = "Wang Fang"
        request.citizen.phone = "13900139000"
        request.description_p = "Bench request"
        _ = try await Civicgrid_V1_Requests.Client(wrapping: client).submitRequest(request, metadata: metadata)
      }
    default:
      throw UsageError(message: "unknown mode \(mode); expected submit, get, list, dispute or request")
    }
    let transport = try CivicWireClientTransport(host: "127.0.0.1", port: port)
    let result = try await withGRPCClient(transport: transport) { client in
      try await Self.measure(client, inFlight: inFlight, seconds: seconds, call)
    }
    print(String(format: "%.1f %d %d", result.rate, result.p50, result.p99))
  }

  struct UsageError: Error {
    let message: String
  }

  struct Result {
    var rate: Double
    var p50: Int
    var p99: Int
  }

  /// Calls/s and latency percentiles in microseconds of `call` kept `inFlight` deep.
  static func measure(
    _ client: GRPCClient<CivicWireClientTransport>,
    inFlight: Int,
    seconds: Double,
    _ call: @escaping @Sendable (GRPCClient<CivicWireClientTransport>) async throws -> Void
  ) async throws -> Result {
    let warmUpEnd = ContinuousClock.now + .seconds(1)
    let end = warmUpEnd + .milliseconds(Int64(seconds * 1000))
    let latencies = try await withThrowingTaskGroup(of: [Int].self) { group in
      for _ in 0..<inFlight {
        group.addTask {
          var samples: [Int] = []
          while true {
            let start = ContinuousClock.now
            if start >= end { break }
            try await call(client)
            if start >= warmUpEnd {
              let elapsed = ContinuousClock.now - start
              samples.append(Int(elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000))
            }
          }
          return samples
        }
      }
      var all: [Int] = []
      for try await samples in group { all += samples }
      return all.sorted()
    }
    guard !latencies.isEmpty else { return Result(rate: 0, p50: 0, p99: 0) }
    return Result(
      rate: Double(latencies.count) / seconds,
      p50: latencies[latencies.count / 2],
      p99: latencies[min(latencies.count - 1, latencies.count * 99 / 100)]
    )
  }
}
