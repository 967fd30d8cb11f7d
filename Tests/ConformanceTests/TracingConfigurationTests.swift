import CivicServer
import CivicTestSupport
import Foundation
import Testing

/// `otlp_endpoint` and `trace_sample_ratio`: off and 1 by default, the usual precedence
/// (defaults < file < environment < flags), bad values refused naming the setting, and
/// civicgridd serving with the exporter on (docs/OPERATIONS.md, Tracing).
@Suite("Tracing configuration", .timeLimit(.minutes(5)))
struct TracingConfigurationTests {
  @Test("defaults: tracing off, every new trace sampled")
  func defaults() {
    #expect(ServerConfiguration.defaults.otlpEndpoint == nil)
    #expect(ServerConfiguration.defaults.traceSampleRatio == 1)
    #expect(ServerConfiguration.keys.contains("otlp_endpoint") && ServerConfiguration.keys.contains("trace_sample_ratio"))
  }

  @Test("precedence: file, then environment, then flags; an empty endpoint turns tracing off again")
  func precedence() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("civicgrid-\(UUID().uuidString).json").path
    try #"{"otlp_endpoint": "http://collector:4317", "trace_sample_ratio": 0.5}"#.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    var configuration = ServerConfiguration.defaults
    try configuration.apply(file: path)
    #expect(configuration.otlpEndpoint == "http://collector:4317")
    #expect(configuration.traceSampleRatio == 0.5)

    try configuration.apply(environment: ["CIVICGRID_TRACE_SAMPLE_RATIO": "0.25"])
    #expect(configuration.traceSampleRatio == 0.25)
    #expect(configuration.otlpEndpoint == "http://collector:4317")

    try configuration.apply(key: "otlp_endpoint", value: "https://otel.example:4317", source: "flag --otlp-endpoint")
    try configuration.apply(key: "trace_sample_ratio", value: "0", source: "flag --trace-sample-ratio")
    #expect(configuration.otlpEndpoint == "https://otel.example:4317")
    #expect(configuration.traceSampleRatio == 0)

    try configuration.apply(environment: ["CIVICGRID_OTLP_ENDPOINT": ""])
    #expect(configuration.otlpEndpoint == nil)
  }

  @Test(
    "bad values name the setting and their source",
    arguments: [
      ("otlp_endpoint", "collector:4317", "otlp_endpoint must be an OTLP/gRPC collector URL"),
      ("otlp_endpoint", "ftp://collector:4317", "otlp_endpoint must be an OTLP/gRPC collector URL"),
      ("otlp_endpoint", "http://collector:4317/v1/traces", "otlp_endpoint must be an OTLP/gRPC collector URL"),
      ("otlp_endpoint", "http://", "otlp_endpoint must be an OTLP/gRPC collector URL"),
      ("trace_sample_ratio", "1.5", "trace_sample_ratio must be a number in 0...1"),
      ("trace_sample_ratio", "-0.1", "trace_sample_ratio must be a number in 0...1"),
      ("trace_sample_ratio", "nan", "trace_sample_ratio must be a number in 0...1"),
      ("trace_sample_ratio", "half", "trace_sample_ratio must be a number in 0...1"),
    ]
  )
  func badValues(key: String, value: String, expected: String) {
    var configuration = ServerConfiguration.defaults
    let error = #expect(throws: ConfigurationError.self) {
      try configuration.apply(key: key, value: value, source: "test source")
    }
    #expect(error?.description.hasPrefix("test source: ") == true)
    #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    #expect(configuration == ServerConfiguration.defaults)
  }

  @Test("civicgridd refuses a bad ratio from a flag or the environment (exit 64), naming the setting")
  func civicgriddRefusesBadValues() throws {
    let listeners = ["--wire-listen", "127.0.0.1:0", "--grpc-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"]
    let byFlag = try Binaries.run(
      Binaries.civicgridd,
      ["serve", "--trace-sample-ratio", "2"] + listeners,
      environment: ExecutableTests.environmentWithoutDatabase,
      timeLimit: .seconds(30)
    )
    #expect(byFlag.status == 64, "\(byFlag.stderr)")
    #expect(byFlag.stderr.contains("flag --trace-sample-ratio: trace_sample_ratio must be a number in 0...1"), "\(byFlag.stderr)")

    var environment = ExecutableTests.environmentWithoutDatabase
    environment["CIVICGRID_OTLP_ENDPOINT"] = "collector"
    let byEnvironment = try Binaries.run(Binaries.civicgridd, ["serve"] + listeners, environment: environment, timeLimit: .seconds(30))
    #expect(byEnvironment.status == 64, "\(byEnvironment.stderr)")
    #expect(byEnvironment.stderr.contains("environment CIVICGRID_OTLP_ENDPOINT: otlp_endpoint must be"), "\(byEnvironment.stderr)")
  }

  @Test(
    "with an exporter whose collector is away, civicgridd serves calls traced by civicctl --trace over both transports, logs their trace id, and still exits 0 on SIGTERM"
  )
  func servesWithExporterOn() async throws {
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("civicgridd-trace-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    let (server, ports) = try ExecutableTests.startServer(
      extraArguments: ["--otlp-endpoint", "http://127.0.0.1:9", "--trace-sample-ratio", "0", "--log-format", "json"],
      logLevel: "debug",
      environment: ExecutableTests.environmentWithoutDatabase,
      standardError: try FileHandle(forWritingTo: log)
    )
    defer { if server.isRunning { server.terminate() } }
    var traceIDs: [String] = []
    for (transport, port) in [("wire", ports.wire), ("http2", ports.grpc)] {
      let health = try await Binaries.runDetached(Binaries.civicctl, ["health", "--server", "127.0.0.1:\(port)", "--transport", transport, "--trace"])
      #expect(health.status == 0, "\(health.stderr)")
      #expect(health.stdout == "SERVING\n")
      // The trace id sent, for finding the call in the collector.
      let line = health.stderr.split(separator: "\n").first { $0.hasPrefix("civicctl: trace id ") }
      let traceID = try #require(line.map { String($0.dropFirst("civicctl: trace id ".count)) }, "\(health.stderr)")
      #expect(traceID.count == 32 && traceID.allSatisfy(\.isHexDigit))
      traceIDs.append(traceID)
    }
    try await ExecutableTests.stop(server)
    #expect(server.terminationStatus == 0)

    // A ratio of 0 records no new trace, but a caller's sampled traceparent is followed: each
    // call's log lines carry the caller's trace id, so the server's span joined the trace.
    let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
    for traceID in traceIDs {
      let started = lines.filter { $0.contains(#""msg":"rpc started""#) && $0.contains(#""trace.id":"\#(traceID)""#) }
      #expect(started.count == 1, "no 'rpc started' line with trace.id \(traceID) in:\n\(lines.joined(separator: "\n"))")
    }
  }
}
