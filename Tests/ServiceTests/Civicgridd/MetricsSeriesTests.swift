import CivicProtos
import CivicServer
import CivicServices
import CivicTestSupport
import CivicWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

/// civicgridd's /metrics as Prometheus scrapes it, from a real process over a seeded scratch
/// database: each series docs/MONITORING.md lists moves when its event happens, and the
/// alert rules and the dashboard in ops/deploy name only series the server exports.
@Suite("civicgridd metrics series", .serialized, .timeLimit(.minutes(5)))
struct MetricsSeriesTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  @Test(
    "HTTP/2 connections and streams, feeds, auth failures by reason, pool, sweep and health series move; rules and dashboard name exported series"
  )
  func seriesMove() async throws {
    try await CivicgriddCommandTests.withScratchDatabase { url, _ in
      let seeded = try await CivicgriddCommandTests.civicgridd(["seed-demo"], url: url)
      try #require(seeded.status == 0, "\(seeded.stderr)")
      let admin = Metadata.bearer(seeded.stdout.trimmingCharacters(in: .newlines))
      let server = try await RunningCivicgridd.start(
        url: url,
        arguments: ["--database-pool-size", "2"],
        environment: ["CIVICGRID_WARNING_SWEEP_SECONDS": "1"]
      )
      defer { server.stop() }
      let metrics = server.ports.metrics

      // Health and pool: the store is SERVING and the pool has been used.
      var text = try await Scrape.until(port: metrics) { $0.value("civicgrid_sweep_last_completed_timestamp_seconds") != nil }
      #expect(text.value(#"civicgrid_health_serving{service="civicgrid.store"}"#) == 1)
      #expect(text.value("civicgrid_store_pool_size") == 2)
      #expect(text.value(#"civicgrid_store_pool_connections{state="idle"}"#).map { $0 >= 1 } == true)
      #expect(text.value("civicgrid_store_pool_waiters") == 0)
      // No slot of the test cluster holds back vacuum (its replica, if any, runs without feedback).
      text = try await Scrape.until(port: metrics) { $0.value("civicgrid_store_inactive_slot_xmin_age") != nil }
      #expect(text.value("civicgrid_store_inactive_slot_xmin_age") == 0)
      #expect(text.value("civicgrid_sweep_duration_seconds") != nil)
      #expect(text.value("civicgrid_sweep_cases_examined") != nil)
      #expect(text.value("civicgrid_sweep_levels_changed_total") != nil)
      // The sweep runs again: its completion time moves.
      let firstSweep = try #require(text.value("civicgrid_sweep_last_completed_timestamp_seconds"))
      text = try await Scrape.until(port: metrics) { ($0.value("civicgrid_sweep_last_completed_timestamp_seconds") ?? 0) > firstSweep }

      // Authentication failures, one per reason.
      let wire = try CivicWireClientTransport(host: "127.0.0.1", port: server.ports.wire)
      try await withGRPCClient(transport: wire) { client in
        let cases = Civicgrid_V1_Cases.Client(wrapping: client)
        var malformed = Metadata()
        malformed.addString("Basic YWRtaW46YWRtaW4=", forKey: "authorization")
        for metadata in [Metadata(), malformed, Metadata.bearer(BearerToken.generate())] {
          await #expect(throws: RPCError.self) { _ = try await cases.listCases(Civicgrid_V1_ListCasesRequest(), metadata: metadata) }
        }
        // More calls at once than the pool has connections: some wait for one.
        try await withThrowingTaskGroup(of: Void.self) { group in
          for _ in 0..<24 { group.addTask { _ = try await cases.listCases(Civicgrid_V1_ListCasesRequest(), metadata: admin) } }
          try await group.waitForAll()
        }
      }
      text = try await Scrape.once(port: metrics)
      for reason in ["missing", "malformed", "rejected"] {
        #expect(text.value("civicgrid_auth_failures_total{reason=\"\(reason)\"}") == 1, "\(reason)")
      }
      #expect(text.value("civicgrid_store_pool_wait_seconds_count").map { $0 > 0 } == true)

      // Feeds over HTTP/2: the subscriber, stream and connection gauges rise while the feeds
      // are open and fall when they end.
      let http2 = try HTTP2ClientTransport.Posix(
        target: .ipv4(address: "127.0.0.1", port: server.ports.grpc),
        transportSecurity: .plaintext
      )
      try await withGRPCClient(transport: http2) { client in
        try await withThrowingTaskGroup(of: Void.self) { group in
          group.addTask {
            try await Civicgrid_V1_Cases.Client(wrapping: client).watchEvents(Civicgrid_V1_WatchEventsRequest(), metadata: admin) {
              response in
              for try await _ in response.messages {}
            }
          }
          group.addTask {
            try await Civicgrid_V1_Supervision.Client(wrapping: client).watchAlerts(Civicgrid_V1_WatchAlertsRequest(), metadata: admin) {
              response in
              for try await _ in response.messages {}
            }
          }
          let open = try await Scrape.until(port: metrics) {
            $0.value(#"civicgrid_feed_subscribers{feed="events"}"#) == 1 && $0.value(#"civicgrid_feed_subscribers{feed="alerts"}"#) == 1
          }
          #expect(open.value("civicgrid_http2_connections_open") == 1)
          #expect(open.value("civicgrid_http2_streams_open") == 2)
          group.cancelAll()
          try? await group.waitForAll()
        }
      }
      text = try await Scrape.until(port: metrics) {
        $0.value(#"civicgrid_feed_subscribers{feed="events"}"#) == 0 && $0.value(#"civicgrid_feed_subscribers{feed="alerts"}"#) == 0
          && $0.value("civicgrid_http2_connections_open") == 0 && $0.value("civicgrid_http2_streams_open") == 0
      }

      // What ops/deploy names, the server exports.
      let exported = text.seriesNames
      let rules = try Self.yamlAsJSON(Self.root.appendingPathComponent("ops/deploy/prometheus-rules.yml"))
      let groups = try #require((rules as? [String: Any])?["groups"] as? [[String: Any]])
      let alerts = groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }
      #expect(Set(alerts.compactMap { $0["alert"] as? String }).count == 5)
      for rule in alerts {
        let expression = try #require(rule["expr"] as? String)
        for name in Self.seriesNames(in: expression) { #expect(exported.contains(name), "\(rule["alert"] ?? "?") names \(name)") }
      }
      let dashboard = try JSONSerialization.jsonObject(
        with: Data(contentsOf: Self.root.appendingPathComponent("ops/deploy/grafana-dashboard.json"))
      )
      let panels = try #require((dashboard as? [String: Any])?["panels"] as? [[String: Any]])
      #expect(!panels.isEmpty)
      for panel in panels {
        let targets = try #require(panel["targets"] as? [[String: Any]], "\(panel["title"] ?? "?") has no queries")
        for target in targets {
          let expression = try #require(target["expr"] as? String)
          let names = Self.seriesNames(in: expression)
          #expect(!names.isEmpty)
          for name in names { #expect(exported.contains(name), "panel \(panel["title"] ?? "?") names \(name)") }
        }
      }
    }
  }

  /// The `civicgrid_…` series an expression names.
  static func seriesNames(in expression: String) -> Set<String> {
    let pattern = try! Regex("civicgrid_[a-z0-9_]+")
    return Set(expression.matches(of: pattern).map { String(expression[$0.range]) })
  }

  /// The YAML file parsed by PyYAML (safe_load) and handed over as JSON: a syntax error fails.
  static func yamlAsJSON(_ file: URL) throws -> Any {
    let result = try Binaries.run(
      URL(fileURLWithPath: "/usr/bin/env"),
      ["python3", "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file.path]
    )
    try #require(result.status == 0, "\(file.lastPathComponent) is not valid YAML: \(result.stderr)")
    return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
  }
}

/// A scrape of /metrics, read by series.
struct Scrape: Sendable {
  let lines: [String]

  /// The value of a series written out in full (`name{label="value"}`), or nil.
  func value(_ series: String) -> Double? {
    for line in self.lines where line.hasPrefix(series + " ") {
      return Double(line.dropFirst(series.count + 1).split(separator: " ")[0])
    }
    return nil
  }

  /// Every series name the scrape holds (histograms' `_bucket`, `_sum` and `_count` too).
  var seriesNames: Set<String> {
    Set(
      self.lines.filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { line in
        String(line.prefix { $0 != "{" && $0 != " " })
      }
    )
  }

  static func once(port: Int) async throws -> Scrape {
    let result = try await Binaries.runDetached(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-sf", "http://127.0.0.1:\(port)/metrics"])
    try #require(result.status == 0, "scraping /metrics failed: \(result.stderr)")
    return Scrape(lines: result.stdout.split(separator: "\n").map(String.init))
  }

  /// Scrapes until `condition` holds (bounded: a loaded machine is slow, a broken server never).
  static func until(port: Int, _ condition: (Scrape) -> Bool) async throws -> Scrape {
    var scrape = try await Self.once(port: port)
    for _ in 0..<300 where !condition(scrape) {
      try await Task.sleep(for: .milliseconds(100))
      scrape = try await Self.once(port: port)
    }
    try #require(
      condition(scrape),
      "the series never reached the expected values:\n\(scrape.lines.filter { $0.hasPrefix("civicgrid_") }.joined(separator: "\n"))"
    )
    return scrape
  }
}

/// `civicgridd serve` as a separate process on loopback ports over the database at `url`.
struct RunningCivicgridd: Sendable {
  let process: Process
  let ports: CivicGridServer.BoundPorts

  static func start(url: String, arguments: [String] = [], environment extra: [String: String] = [:]) async throws -> RunningCivicgridd {
    var environment = ProcessInfo.processInfo.environment
    for name in [
      "CIVICGRID_DATABASE_URL", "CIVICGRID_MIGRATION_DATABASE_URL", "CIVICGRID_DATABASE_APP_ROLE", "PGHOST", "PGDATABASE",
      "PGSERVICE", "PGHOSTADDR", "CIVICGRID_CONFIG",
    ] { environment[name] = nil }
    environment.merge(extra) { _, new in new }
    let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("civicgridd-\(UUID().uuidString).json")
    let process = Process()
    process.executableURL = Binaries.civicgridd
    process.arguments =
      [
        "serve", "--wire-listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
        "--port-file", portFile.path, "--log-level", "warning", "--database-url", url,
      ] + arguments
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    for _ in 0..<600 {
      if let data = try? Data(contentsOf: portFile), let ports = try? JSONDecoder().decode(CivicGridServer.BoundPorts.self, from: data) {
        try? FileManager.default.removeItem(at: portFile)
        return RunningCivicgridd(process: process, ports: ports)
      }
      guard process.isRunning else { break }
      try await Task.sleep(for: .milliseconds(100))
    }
    process.terminate()
    throw CocoaError(.fileReadNoSuchFile)
  }

  func stop() {
    self.process.terminate()
    self.process.waitUntilExit()
  }
}
