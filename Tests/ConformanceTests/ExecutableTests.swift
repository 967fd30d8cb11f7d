import CivicTestSupport
import CivicProtos
import CivicServer
import Foundation
import GRPCCore
import Testing

/// civicgridd and civicctl as a user runs them.
@Suite("civicgridd and civicctl", .serialized)
struct ExecutableTests {
  /// Starts civicgridd on free ports and waits for its port file.
  static func startServer(extraArguments: [String] = []) throws -> (Process, CivicGridServer.BoundPorts) {
    let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("civicgridd-\(UUID().uuidString).json")
    let process = Process()
    process.executableURL = Binaries.civicgridd
    process.arguments =
      [
        "serve", "--wire-listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0",
        "--metrics-listen", "127.0.0.1:0", "--port-file", portFile.path, "--log-level", "warning",
      ] + extraArguments
    process.standardOutput = FileHandle.nullDevice
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
    var settled = text
    for _ in 0..<40 where !(settled.contains("civicgrid_wire_connections_open 0.0") && settled.contains("civicgrid_wire_streams_open 0.0")) {
      Thread.sleep(forTimeInterval: 0.05)
      settled = Self.scrape(port: ports.metrics)
    }
    #expect(settled.contains("civicgrid_wire_connections_open 0.0"))
    #expect(settled.contains("civicgrid_wire_streams_open 0.0"))
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
    let result = try Binaries.run(Binaries.civicgridd, ["serve", "--wire-listen", "nowhere"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("wire_listen must be HOST:PORT"))

    var environment = ProcessInfo.processInfo.environment
    environment["CIVICGRID_MAX_CONCURRENT_STREAMS"] = "zero"
    let fromEnvironment = try Binaries.run(Binaries.civicgridd, ["serve"], environment: environment)
    #expect(fromEnvironment.status != 0)
    #expect(fromEnvironment.stderr.contains("CIVICGRID_MAX_CONCURRENT_STREAMS"))
  }
}
