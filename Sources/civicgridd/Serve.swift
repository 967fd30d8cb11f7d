import ArgumentParser
import CivicProtos
import CivicServer
import CivicServices
import CivicStore
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Tracing
import UnixSignals

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
  @Option(help: "PEM certificate chain: both listeners speak TLS (with --tls-key).") var tlsCert: String?
  @Option(help: "PEM private key of --tls-cert.") var tlsKey: String?
  @Option(help: "PEM CA certificates: every client must present a certificate they issued.") var tlsClientCa: String?
  @Option(help: "Client certificate name (CN or SAN) to account login, NAME=LOGIN[,…].") var tlsClientAccounts: String?
  @Option(help: "Write the bound ports as JSON to this file once listening.") var portFile: String?
  @Option(help: "Most calls running at once on this instance, 0 for no limit (default 1000).") var maxCallsInFlight: String?
  @Option(help: "Per-role rate limits of authenticated calls, ROLE=RATE/BURST[,…], * for other roles (default none).")
  var rateLimits: String?
  @Option(help: "OpenTelemetry collector for traces over OTLP/gRPC, http://HOST:PORT (default: tracing off).") var otlpEndpoint: String?
  @Option(help: "Fraction of new traces recorded, 0...1 (default 1).") var traceSampleRatio: String?
  @Option(
    help: """
      A streaming replica of the database that serves read-only calls while it is fresh: a libpq \
      URL (default CIVICGRID_READ_DATABASE_URL, else none: everything on the primary).
      """
  )
  var readDatabaseUrl: String?
  @Option(help: "Most staleness in milliseconds a replica read may have; past it reads go to the primary (default 2000).")
  var readMaxLagMs: String?
  @Option(help: "Case events the instance's shared feed tail keeps in memory; 0: no tail, each subscriber rereads (default 10000).") var feedWindow: Int?
  @Option(help: "Alerts the instance's shared alert tail keeps in memory; 0: no tail, each WatchAlerts subscriber rereads (default 10000).")
  var alertWindow: Int?
  @OptionGroup var database: DatabaseOptions

  func run() async throws {
    let settings = try self.resolvedSettings()
    Self.bootstrapLogging(
      level: Logger.Level(rawValue: settings.logLevel) ?? .info,
      json: self.logFormat == "json",
      metadataProvider: settings.otlpEndpoint == nil ? nil : TracingBackend.logMetadata
    )
    let registry = Self.bootstrapMetrics()
    let logger = Logger(label: "civicgridd")
    let tracing = try TracingBackend.make(settings)
    if let endpoint = settings.otlpEndpoint {
      logger.info("tracing to \(endpoint)", metadata: ["trace.sample_ratio": "\(settings.traceSampleRatio)"])
    }

    let store = try await self.openStore(logger: logger, tracer: tracing?.tracer)
    // One LISTEN connection for every WatchEvents and WatchAlerts subscriber of this instance,
    // which also keeps the cache of token principals honest.
    let principals = PrincipalCache()
    let feeds = store.map { FeedListener(store: $0, logger: logger, principalCache: principals, eventWindow: self.feedWindow, alertWindow: self.alertWindow) }
    let certificateAccounts = CertificateAccounts(settings.tls?.clientAccounts ?? [:])
    let replica = store.flatMap { Self.readReplica(primary: $0, settings: settings, logger: logger) }
    let server = CivicGridServer(
      configuration: settings,
      registry: registry,
      logger: logger,
      services: store.map { DatabaseServices.make(store: $0, feeds: feeds) } ?? [],
      interceptors: store.map {
        DatabaseServices.interceptors(
          store: $0,
          certificateAccounts: certificateAccounts,
          rateLimits: settings.rateLimits,
          principalCache: principals,
          replica: replica
        )
      } ?? [],
      tracer: tracing?.tracer
    )
    // Shut down in reverse: the server drains first, the pool closes last.
    // The exporter first, so it shuts down last and flushes the server's final spans.
    var lifecycle: [ServiceGroupConfiguration.ServiceConfiguration] = tracing.map { [.init(service: $0.service)] } ?? []
    lifecycle += store.map { Self.storeServices($0, health: server.health, settings: settings, logger: logger) } ?? []
    if let replica { lifecycle.append(.init(service: replica)) }
    if let feeds { lifecycle.append(.init(service: feeds)) }
    lifecycle.append(.init(service: server))
    let (configFile, flags) = (self.config, self.flagSettings)
    lifecycle.append(
      .init(
        service: HangupReload(reloader: TLSReloader(server: server, accounts: certificateAccounts, logger: logger)) {
          try Serve.resolveSettings(configFile: configFile, flags: flags)
        }
      )
    )
    let group = ServiceGroup(
      configuration: ServiceGroupConfiguration(services: lifecycle, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    )
    let portFile = self.portFile
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      tasks.addTask { try await group.run() }
      tasks.addTask { try Self.announce(try await server.boundPorts, settings: settings, portFile: portFile, logger: logger) }
      try await tasks.waitForAll()
    }
    logger.info("civicgridd stopped")
  }

  /// Defaults, then the config file, the environment and the flags, each overriding the last.
  private func resolvedSettings() throws -> ServerConfiguration {
    guard ["text", "json"].contains(self.logFormat) else {
      throw ValidationError("--log-format must be text or json, got '\(self.logFormat)'")
    }
    return try Self.resolveSettings(configFile: self.config, flags: self.flagSettings)
  }

  /// The settings given as flags, by setting name.
  private var flagSettings: [(String, String?)] {
    [
      ("wire_listen", self.wireListen), ("grpc_listen", self.grpcListen),
      ("metrics_listen", self.metricsListen), ("log_level", self.logLevel),
      ("tls_cert", self.tlsCert), ("tls_key", self.tlsKey), ("tls_client_ca", self.tlsClientCa),
      ("tls_client_accounts", self.tlsClientAccounts),
      ("otlp_endpoint", self.otlpEndpoint), ("trace_sample_ratio", self.traceSampleRatio),
      ("max_calls_in_flight", self.maxCallsInFlight), ("rate_limits", self.rateLimits),
      ("read_database_url", self.readDatabaseUrl), ("read_max_lag_ms", self.readMaxLagMs),
    ]
  }

  /// Resolves the settings from their sources; at startup, and again on SIGHUP (`HangupReload`).
  static func resolveSettings(configFile: String?, flags: [(String, String?)]) throws -> ServerConfiguration {
    let environment = ProcessInfo.processInfo.environment
    var settings = ServerConfiguration.defaults
    do {
      if let file = configFile ?? environment["CIVICGRID_CONFIG"] {
        try settings.apply(file: file)
      }
      try settings.apply(environment: environment)
      for case let (key, value?) in flags {
        try settings.apply(key: key, value: value, source: "flag --\(key.replacingOccurrences(of: "_", with: "-"))")
      }
      try settings.validated().checkTLSFiles()
    } catch {
      throw ValidationError(error.description)
    }
    return settings
  }

  /// - Parameter metadataProvider: With tracing on, every line logged inside a traced call
  ///   carries its `trace.id` and `span.id`.
  private static func bootstrapLogging(level: Logger.Level, json: Bool, metadataProvider: Logger.MetadataProvider?) {
    LoggingSystem.bootstrap(
      { label, provider in
        var handler: any LogHandler =
          json
          ? JSONLogHandler(label: label, metadataProvider: provider)
          : StreamLogHandler.standardError(label: label, metadataProvider: provider)
        handler.logLevel = level
        return handler
      },
      metadataProvider: metadataProvider
    )
  }

  /// Bootstraps the metrics system on a fresh registry, which the metrics endpoint serves.
  private static func bootstrapMetrics() -> PrometheusCollectorRegistry {
    let registry = PrometheusCollectorRegistry()
    var metricsFactory = PrometheusMetricsFactory(registry: registry)
    // Diagnostics calls take tens of microseconds; database-backed ones up to seconds.
    metricsFactory.defaultDurationHistogramBuckets = [
      .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
      .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]
    MetricsSystem.bootstrap(metricsFactory)
    return registry
  }

  /// The migrated store, or nil without a database URL (flag, CIVICGRID_DATABASE_URL or PG*
  /// variables): the server then runs Diagnostics and Health only.
  private func openStore(logger: Logger, tracer: (any Tracer)?) async throws -> StorePool? {
    guard let storeConfiguration = self.database.configuration() else {
      logger.warning("no database configured: serving Diagnostics and Health only (pass --database-url)")
      return nil
    }
    return try await Migrate.openMigrated(storeConfiguration, options: self.database, logger: logger, tracer: tracer)
  }

  /// The replica that serves read-only calls, when `read_database_url` names one: a pool as
  /// large as the primary's (it opens lazily; an unreachable replica fails no call).
  private static func readReplica(primary: StorePool, settings: ServerConfiguration, logger: Logger) -> ReadReplica? {
    guard let url = settings.readDatabaseURL else { return nil }
    var configuration = StoreConfiguration(connectionString: url, poolSize: primary.configuration.poolSize)
    configuration.poolQueueLimit = primary.configuration.poolQueueLimit
    configuration.applicationName = "civicgrid-read"
    var replicaSettings = ReadReplica.Configuration.defaults
    replicaSettings.maxLag = .milliseconds(settings.readMaxLagMilliseconds)
    logger.info("store: read-only calls go to the replica while it is fresh", metadata: ["replica.max_lag": "\(replicaSettings.maxLag)"])
    return ReadReplica(primary: primary, replica: StorePool(configuration: configuration, logger: logger), configuration: replicaSettings, logger: logger)
  }

  /// The lifecycle services that come with the store: the pool, its health monitor (which
  /// turns the database services NOT_SERVING while PostgreSQL is away), the watch for an
  /// inactive replication slot holding back vacuum, the sequencer and the warning sweeper.
  private static func storeServices(
    _ pool: StorePool,
    health: HealthService,
    settings: ServerConfiguration,
    logger: Logger
  ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
    let monitor = StoreHealthMonitor(pool: pool) { reachable in
      for name in ["civicgrid.store"] + DatabaseServices.names {
        health.setStatus(reachable ? .serving : .notServing, forService: name)
      }
      if !reachable { logger.warning("store: PostgreSQL unreachable; calls fail UNAVAILABLE until it is back") }
    }
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
      .init(service: pool), .init(service: monitor), .init(service: InactiveSlotWatch(pool: pool, logger: logger)),
    ]
    // Numbers case events and seals audit entries after commit; one instance leads.
    services.append(.init(service: Sequencer(store: pool, logger: logger)))
    if settings.warningSweepSeconds > 0 {
      // Records warning-level changes (docs/SUPERVISION.md); safe with several instances.
      var configuration = WarningSweeper.Configuration.defaults
      configuration.interval = .seconds(settings.warningSweepSeconds)
      configuration.contractNoticeWorkingDays = settings.contractNoticeWorkingDays
      let sweeper = WarningSweeper(store: pool, configuration: configuration, logger: logger)
      services.append(.init(service: WarningSweeperService(sweeper: sweeper)))
    }
    return services
  }

  /// Once every listener is bound: the port file, the log line and the banner on stdout.
  private static func announce(
    _ ports: CivicGridServer.BoundPorts,
    settings: ServerConfiguration,
    portFile: String?,
    logger: Logger
  ) throws {
    if let portFile {
      let data = try JSONEncoder().encode(ports)
      try data.write(to: URL(fileURLWithPath: portFile), options: .atomic)
    }
    let listen = (wire: settings.wireListen.host, grpc: settings.grpcListen.host, metrics: settings.metricsListen.host)
    logger.info(
      "civicgridd listening",
      metadata: [
        "wire": "\(listen.wire):\(ports.wire)",
        "grpc": "\(listen.grpc):\(ports.grpc)",
        "metrics": "http://\(listen.metrics):\(ports.metrics)/metrics",
      ]
    )
    let (security, tlsFlags) = settings.tls == nil ? ("", "") : (" over TLS", " --tls --ca-file CA.pem")
    let banner = """
      civicgridd: serving CivicWire on \(listen.wire):\(ports.wire), gRPC/HTTP2 on \(listen.grpc):\(ports.grpc)\(security), metrics on http://\(listen.metrics):\(ports.metrics)/metrics
      civicgridd: try `civicctl --server \(listen.wire):\(ports.wire)\(tlsFlags) health`

      """
    FileHandle.standardOutput.write(Data(banner.utf8))
  }
}

