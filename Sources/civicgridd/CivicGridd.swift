import ArgumentParser
import CivicServer
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

@main
struct CivicGridd: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "civicgridd",
    abstract: "The CivicGrid server: CivicWire and gRPC/HTTP/2 listeners, health and metrics.",
    subcommands: [Serve.self],
    defaultSubcommand: Serve.self
  )
}

struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Serve until SIGTERM or SIGINT, then drain in-flight calls and exit 0.",
    discussion: """
      Settings come from, lowest precedence first: defaults, the JSON file given by --config \
      (or CIVICGRID_CONFIG), CIVICGRID_* environment variables, and these flags.
      """
  )

  @Option(help: "JSON config file.") var config: String?
  @Option(help: "CivicWire listener, HOST:PORT (default 127.0.0.1:7400).") var wireListen: String?
  @Option(help: "gRPC/HTTP/2 listener, HOST:PORT (default 127.0.0.1:7401).") var grpcListen: String?
  @Option(help: "Prometheus metrics listener, HOST:PORT (default 127.0.0.1:7402).") var metricsListen: String?
  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String?
  @Option(help: "Log format: text or json.") var logFormat: String = "text"
  @Option(help: "Write the bound ports as JSON to this file once listening.") var portFile: String?

  func run() async throws {
    let environment = ProcessInfo.processInfo.environment
    var settings = ServerConfiguration.defaults
    do {
      if let file = self.config ?? environment["CIVICGRID_CONFIG"] {
        try settings.apply(file: file)
      }
      try settings.apply(environment: environment)
      let flags: [(String, String?)] = [
        ("wire_listen", self.wireListen), ("grpc_listen", self.grpcListen),
        ("metrics_listen", self.metricsListen), ("log_level", self.logLevel),
      ]
      for case let (key, value?) in flags {
        try settings.apply(key: key, value: value, source: "flag --\(key.replacingOccurrences(of: "_", with: "-"))")
      }
    } catch {
      throw ValidationError(error.description)
    }
    guard ["text", "json"].contains(self.logFormat) else {
      throw ValidationError("--log-format must be text or json, got '\(self.logFormat)'")
    }

    let level = Logger.Level(rawValue: settings.logLevel) ?? .info
    let json = self.logFormat == "json"
    LoggingSystem.bootstrap { label in
      var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let registry = PrometheusCollectorRegistry()
    var metricsFactory = PrometheusMetricsFactory(registry: registry)
    // Diagnostics calls take tens of microseconds; database-backed ones up to seconds.
    metricsFactory.defaultDurationHistogramBuckets = [
      .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
      .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]
    MetricsSystem.bootstrap(metricsFactory)
    let logger = Logger(label: "civicgridd")

    let server = CivicGridServer(configuration: settings, registry: registry, logger: logger)
    let group = ServiceGroup(
      configuration: ServiceGroupConfiguration(
        services: [.init(service: server)],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger
      )
    )
    let portFile = self.portFile
    let listen = (wire: settings.wireListen.host, grpc: settings.grpcListen.host, metrics: settings.metricsListen.host)
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask { try await group.run() }
      tasks.addTask {
        let ports = try await server.boundPorts
        if let portFile {
          let data = try JSONEncoder().encode(ports)
          try data.write(to: URL(fileURLWithPath: portFile), options: .atomic)
        }
        logger.info(
          "civicgridd listening",
          metadata: [
            "wire": "\(listen.wire):\(ports.wire)",
            "grpc": "\(listen.grpc):\(ports.grpc)",
            "metrics": "http://\(listen.metrics):\(ports.metrics)/metrics",
          ]
        )
        let banner = """
          civicgridd: serving CivicWire on \(listen.wire):\(ports.wire), gRPC/HTTP2 on \(listen.grpc):\(ports.grpc), metrics on http://\(listen.metrics):\(ports.metrics)/metrics
          civicgridd: try `civicctl --server \(listen.wire):\(ports.wire) health`

          """
        FileHandle.standardOutput.write(Data(banner.utf8))
      }
      try await tasks.waitForAll()
    }
    logger.info("civicgridd stopped")
  }
}
