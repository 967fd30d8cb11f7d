import CivicTestSupport
import CivicProtos
import CivicServer
import Foundation
import GRPCCore
import Testing

/// civicgridd and civicctl as a user runs them.
@Suite("civicgridd and civicctl", .serialized, .timeLimit(.minutes(5)))
struct ExecutableTests {
  /// Listeners on loopback ports picked by the kernel.
  static let loopbackListeners = ["--wire-listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"]

  /// Starts civicgridd on free ports and waits for its port file.
  /// The caller stops it (`terminate()` in a `defer`), whatever the outcome.
  static func startServer(
    extraArguments: [String] = [],
    logLevel: String = "warning",
    environment: [String: String]? = nil,
    standardError: FileHandle? = nil
  ) throws -> (Process, CivicGridServer.BoundPorts) {
    let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("civicgridd-\(UUID().uuidString).json")
    let process = Process()
    process.executableURL = Binaries.civicgridd
    process.arguments =
      ["serve"] + Self.loopbackListeners + ["--port-file", portFile.path, "--log-level", logLevel] + extraArguments
    if let environment { process.environment = environment }
    process.standardOutput = FileHandle.nullDevice
    if let standardError { process.standardError = standardError }
    try process.run()
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
      if let data = try? Data(contentsOf: portFile), let ports = try? JSONDecoder().decode(CivicGridServer.BoundPorts.self, from: data) {
        try? FileManager.default.removeItem(at: portFile)
        return (process, ports)
      }
      Thread.sleep(forTimeInterval: 0.05)
    }
    process.terminate()
    throw CocoaError(.fileReadNoSuchFile)
  }

  /// The environment without any database setting: `serve` then runs without PostgreSQL.
  static var environmentWithoutDatabase: [String: String] {
    var environment = ProcessInfo.processInfo.environment
    for name in [
      "CIVICGRID_DATABASE_URL", "CIVICGRID_MIGRATION_DATABASE_URL", "CIVICGRID_DATABASE_APP_ROLE", "PGHOST", "PGDATABASE",
      "PGSERVICE", "PGHOSTADDR", "CIVICGRID_CONFIG",
    ] {
      environment[name] = nil
    }
    return environment
  }

  /// Sends SIGTERM and waits (bounded) for the process to exit.
  static func stop(_ process: Process) async throws {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGTERM)
    for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      Issue.record("civicgridd did not exit after SIGTERM")
    }
  }

  @Test("SIGTERM drains an in-flight call, then civicgridd exits 0")
  func sigtermDrains() async throws {
    let (server, ports) = try Self.startServer()
    defer { if server.isRunning { server.terminate() } }
    try await TransportKind.civicWire.withClients(ports) { clients in
      let sizes = try await clients.diagnostics.streamingOutputCall(WireNegativeTests.twoAnswersHalfASecondApart) { response in
        var sizes: [Int] = []
        for try await message in response.messages {
          sizes.append(message.payload.body.count)
          // In flight for sure once the first answer arrived: now ask the server to stop.
          if sizes.count == 1 { kill(server.processIdentifier, SIGTERM) }
        }
        return sizes
      }
      #expect(sizes == [1, 2])
    }
    let deadline = Date().addingTimeInterval(20)
    while server.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
    #expect(!server.isRunning)
    #expect(server.terminationReason == .exit)
    #expect(server.terminationStatus == 0)
  }

  @Test("civicctl health and a call of each Diagnostics shape, over both transports")
  func civicctlCalls() throws {
    let (server, ports) = try Self.startServer()
    defer { server.terminate() }
    for (transport, port) in [("wire", ports.wire), ("http2", ports.grpc)] {
      let common = ["--server", "127.0.0.1:\(port)", "--transport", transport]
      let health = try Binaries.run(Binaries.civicctl, ["health"] + common)
      #expect(health.status == 0)
      #expect(health.stdout == "SERVING\n")

      let unary = try Binaries.run(
        Binaries.civicctl,
        ["call", "civicgrid.v1.Diagnostics/UnaryCall", "--data", #"{"responseSize": 3}"#] + common
      )
      #expect(unary.status == 0)
      #expect(unary.stdout.contains(#""body":"AAAA""#))

      let stream = try Binaries.run(
        Binaries.civicctl,
        ["call", "civicgrid.v1.Diagnostics/StreamingOutputCall", "--data", #"{"responseParameters":[{"size":1},{"size":2}]}"#] + common
      )
      #expect(stream.stdout.split(separator: "\n").count == 2)

      let sum = try Binaries.run(
        Binaries.civicctl,
        ["call", "civicgrid.v1.Diagnostics/StreamingInputCall", "--data", #"[{"payload":{"body":"AAAA"}},{"payload":{"body":"AA=="}}]"#]
          + common
      )
      #expect(sum.stdout == "{\"aggregatedPayloadSize\":4}\n")

      let bidi = try Binaries.run(
        Binaries.civicctl,
        [
          "call", "civicgrid.v1.Diagnostics/FullDuplexCall", "--data",
          #"[{"responseParameters":[{"size":1}]},{"responseParameters":[{"size":1}]}]"#,
        ] + common
      )
      #expect(bidi.stdout.split(separator: "\n").count == 2)
    }
  }

  @Test("civicctl failures print the status name and exit with the status code")
  func civicctlFailures() throws {
    let (server, ports) = try Self.startServer()
    defer { server.terminate() }
    let common = ["--server", "127.0.0.1:\(ports.wire)"]
    let unimplemented = try Binaries.run(Binaries.civicctl, ["call", "civicgrid.v1.Diagnostics/UnimplementedCall"] + common)
    #expect(unimplemented.status == 12)
    #expect(unimplemented.stderr.hasPrefix("UNIMPLEMENTED: "))

    let deadline = try Binaries.run(
      Binaries.civicctl,
      ["call", "civicgrid.v1.Diagnostics/UnaryCall", "--data", #"{"sleepMicros": 2000000}"#, "--timeout", "0.1"] + common
    )
    #expect(deadline.status == 4)
    #expect(deadline.stderr.hasPrefix("DEADLINE_EXCEEDED: "))

    let badJSON = try Binaries.run(Binaries.civicctl, ["call", "civicgrid.v1.Diagnostics/UnaryCall", "--data", "{nope"] + common)
    #expect(badJSON.status == 3)
    #expect(badJSON.stderr.hasPrefix("INVALID_ARGUMENT: "))

    let unknownMethod = try Binaries.run(Binaries.civicctl, ["call", "civicgrid.v1.Nope/Nope"] + common)
    #expect(unknownMethod.status == 3)

    let requested = try Binaries.run(
      Binaries.civicctl,
      ["call", "civicgrid.v1.Diagnostics/UnaryCall", "--data", #"{"responseStatus": {"code": 9, "message": "not yet"}}"#] + common
    )
    #expect(requested.status == 9)
    #expect(requested.stderr == "FAILED_PRECONDITION: not yet\n")

    // Nothing listens on port 1.
    let unreachable = try Binaries.run(Binaries.civicctl, ["health", "--server", "127.0.0.1:1"])
    #expect(unreachable.status == 14)
    #expect(unreachable.stderr.hasPrefix("UNAVAILABLE: "))
  }

  @Test("the metrics endpoint counts calls by transport, method and status code")
  func metrics() throws {
    let (server, ports) = try Self.startServer()
    defer { server.terminate() }
    for (transport, port) in [("wire", ports.wire), ("http2", ports.grpc)] {
      _ = try Binaries.run(
        Binaries.civicctl,
        ["call", "civicgrid.v1.Diagnostics/EmptyCall", "--server", "127.0.0.1:\(port)", "--transport", transport]
      )
    }
    _ = try Binaries.run(Binaries.civicctl, ["call", "civicgrid.v1.Diagnostics/UnimplementedCall", "--server", "127.0.0.1:\(ports.wire)"])
    // A call that ends at its deadline exercises the cancel path too.
    _ = try Binaries.run(
      Binaries.civicctl,
      ["call", "civicgrid.v1.Diagnostics/UnaryCall", "--data", #"{"sleepMicros": 2000000}"#, "--timeout", "0.1", "--server", "127.0.0.1:\(ports.wire)"]
    )
    let text = Self.scrape(port: ports.metrics)
    #expect(text.hasPrefix("HTTP/1.1 200 OK"))
    #expect(text.contains(#"civicgrid_rpc_calls_total{transport="civicwire",method="civicgrid.v1.Diagnostics/EmptyCall",code="OK"} 1"#))
    #expect(text.contains(#"civicgrid_rpc_calls_total{transport="http2",method="civicgrid.v1.Diagnostics/EmptyCall",code="OK"} 1"#))
    #expect(
      text.contains(
        #"civicgrid_rpc_calls_total{transport="civicwire",method="civicgrid.v1.Diagnostics/UnimplementedCall",code="UNIMPLEMENTED"} 1"#
      )
    )
    #expect(
      text.contains(
        #"civicgrid_rpc_duration_seconds_bucket{transport="civicwire",method="civicgrid.v1.Diagnostics/EmptyCall",le="0.00005"}"#
      )
    )
    // Every client has exited: no connection or stream may be left open on the server.
    Self.expectNothingOpen(metricsPort: ports.metrics)
  }

  /// Expects the server's gauges to show no CivicWire connection or stream open, waiting
  /// (bounded) for connections its clients just closed to be closed on its side too.
  static func expectNothingOpen(metricsPort: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    var settled = Self.scrape(port: metricsPort)
    for _ in 0..<200 where !(settled.contains("civicgrid_wire_connections_open 0.0") && settled.contains("civicgrid_wire_streams_open 0.0")) {
      Thread.sleep(forTimeInterval: 0.05)
      settled = Self.scrape(port: metricsPort)
    }
    #expect(settled.contains("civicgrid_wire_connections_open 0.0"), sourceLocation: sourceLocation)
    #expect(settled.contains("civicgrid_wire_streams_open 0.0"), sourceLocation: sourceLocation)
  }

  static func scrape(port: Int) -> String {
    guard let socket = try? RawSocket(port: port) else { return "" }
    socket.send(Array("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8))
    return String(decoding: socket.receiveAll(), as: UTF8.self)
  }

  @Test("civicctl encode writes the binary request civicload sends")
  func encode() throws {
    let result = try Binaries.run(Binaries.civicctl, ["encode", "civicgrid.v1.Diagnostics/UnaryCall", "--data", #"{"responseSize": 16}"#])
    #expect(result.status == 0)
    // Field 1 (response_size), varint 16.
    #expect(Array(result.stdout.utf8) == [0x08, 0x10])
  }

  @Test("bad configuration is refused with a message naming the setting")
  func badConfiguration() throws {
    let result = try Binaries.run(
      Binaries.civicgridd,
      ["serve", "--wire-listen", "nowhere", "--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"],
      timeLimit: .seconds(30)
    )
    #expect(result.status != 0)
    #expect(result.stderr.contains("wire_listen must be HOST:PORT"))

    var environment = ProcessInfo.processInfo.environment
    environment["CIVICGRID_MAX_CONCURRENT_STREAMS"] = "zero"
    // Loopback port 0 and a time limit: a value that stopped being refused would start a
    // server, which the time limit stops (and the expectations below then fail).
    let fromEnvironment = try Binaries.run(
      Binaries.civicgridd,
      ["serve"] + Self.loopbackListeners,
      environment: environment,
      timeLimit: .seconds(30)
    )
    #expect(fromEnvironment.status != 0)
    #expect(fromEnvironment.stderr.contains("CIVICGRID_MAX_CONCURRENT_STREAMS"))
  }

  @Test(
    "--config and CIVICGRID_CONFIG: malformed JSON, wrong types, booleans and unknown keys are refused (exit 64), naming file and setting",
    arguments: [
      ("{nope", "is not a JSON object"),
      ("[1, 2]", "is not a JSON object"),
      (#"{"max_concurrent_streams": "many"}"#, "max_concurrent_streams must be an integer"),
      (#"{"max_concurrent_streams": [4]}"#, "max_concurrent_streams must be a string or a number"),
      (#"{"max_concurrent_streams": true}"#, "max_concurrent_streams must be a string or a number"),
      (#"{"idle_timeout_seconds": false}"#, "idle_timeout_seconds must be a string or a number"),
      (#"{"no_such_setting": 1}"#, "unknown setting 'no_such_setting'"),
    ]
  )
  func badConfigFile(contents: String, expected: String) throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("civicgrid-config-\(UUID().uuidString).json")
    try contents.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    // Loopback port 0 and a time limit: a file that stopped being refused would start a
    // server, which the time limit stops (and the expectations then fail).
    let byFlag = try Binaries.run(
      Binaries.civicgridd,
      ["serve", "--config", file.path] + Self.loopbackListeners,
      environment: Self.environmentWithoutDatabase,
      timeLimit: .seconds(30)
    )
    #expect(byFlag.status == 64, "\(byFlag.stderr)")
    #expect(byFlag.stderr.contains(file.path) && byFlag.stderr.contains(expected), "\(byFlag.stderr)")

    var environment = Self.environmentWithoutDatabase
    environment["CIVICGRID_CONFIG"] = file.path
    let byEnvironment = try Binaries.run(
      Binaries.civicgridd,
      ["serve"] + Self.loopbackListeners,
      environment: environment,
      timeLimit: .seconds(30)
    )
    #expect(byEnvironment.status == 64, "\(byEnvironment.stderr)")
    #expect(byEnvironment.stderr.contains(file.path) && byEnvironment.stderr.contains(expected), "\(byEnvironment.stderr)")
  }

  @Test("without a database: Diagnostics and Health serve, database services are UNIMPLEMENTED; --log-format json logs JSON lines")
  func databaseLessServeWithJSONLogs() async throws {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("civicgridd-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let logHandle = try FileHandle(forWritingTo: log)
    let (server, ports) = try Self.startServer(
      extraArguments: ["--log-format", "json"],
      logLevel: "info",
      environment: Self.environmentWithoutDatabase,
      standardError: logHandle
    )
    defer { if server.isRunning { server.terminate() } }
    let common = ["--server", "127.0.0.1:\(ports.wire)"]
    let health = try await Binaries.runDetached(Binaries.civicctl, ["health"] + common)
    #expect(health.status == 0 && health.stdout == "SERVING\n", "\(health.stderr)")
    let whoami = try await Binaries.runDetached(Binaries.civicctl, ["call", "civicgrid.v1.Directory/WhoAmI"] + common)
    #expect(whoami.status == 12, "\(whoami.stderr)")  // UNIMPLEMENTED: no Directory without a database
    #expect(whoami.stderr.hasPrefix("UNIMPLEMENTED: "))
    try await Self.stop(server)
    #expect(server.terminationReason == .exit && server.terminationStatus == 0)
    try logHandle.close()

    let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
    let objects = lines.compactMap { line in
      (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }
    #expect(!lines.isEmpty)
    #expect(objects.count == lines.count, "every log line is one JSON object: \(lines.filter { !$0.hasPrefix("{") })")
    for object in objects {
      #expect(object["ts"] is String && object["level"] is String && object["logger"] is String && object["msg"] is String)
    }
    #expect(objects.contains { $0["level"] as? String == "warning" && ($0["msg"] as? String)?.hasPrefix("no database configured") == true })
    #expect(objects.contains { $0["msg"] as? String == "civicgridd listening" && $0["wire"] as? String == "127.0.0.1:\(ports.wire)" })
    #expect(objects.contains { $0["msg"] as? String == "civicgridd stopped" })
  }

  @Test("health: civicgrid.store is NOT_SERVING while PostgreSQL is down and SERVING once it is back")
  func storeHealthFollowsPostgreSQL() async throws {
    let cluster = ThrowawayCluster(port: closedLoopbackPort())
    defer { cluster.destroy() }
    try cluster.start()
    let (server, ports) = try Self.startServer(
      extraArguments: ["--database-url", cluster.url],
      environment: Self.environmentWithoutDatabase
    )
    defer { if server.isRunning { server.terminate() } }
    let check = ["health", "--service", "civicgrid.store", "--server", "127.0.0.1:\(ports.wire)"]
    /// Asks until the answer is `expected` (the monitor probes every 2 s); returns the last.
    func waitForStatus(_ expected: String) async throws -> String {
      var last = ""
      for _ in 0..<120 {
        last = try await Binaries.runDetached(Binaries.civicctl, check).stdout
        if last == expected + "\n" { break }
        try await Task.sleep(for: .milliseconds(250))
      }
      return last
    }
    #expect(try await Binaries.runDetached(Binaries.civicctl, check).stdout == "SERVING\n")
    try cluster.stop()
    #expect(try await waitForStatus("NOT_SERVING") == "NOT_SERVING\n")
    // The server as a whole still answers its own health.
    #expect(try await Binaries.runDetached(Binaries.civicctl, ["health", "--server", "127.0.0.1:\(ports.wire)"]).stdout == "SERVING\n")
    try cluster.start()
    #expect(try await waitForStatus("SERVING") == "SERVING\n")
  }
}
