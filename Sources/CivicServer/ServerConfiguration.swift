public import CivicServices
public import CivicWire
import Foundation
import NIOCore

/// Everything `civicgridd serve` can be told, with the documented defaults.
///
/// Sources, lowest to highest precedence: built-in defaults, the JSON config file,
/// `CIVICGRID_*` environment variables, command-line flags (see docs/OPERATIONS.md).
public struct ServerConfiguration: Sendable, Equatable {
  /// CivicWire listener.
  public var wireListen: ListenAddress
  /// Standard gRPC over HTTP/2 listener.
  public var grpcListen: ListenAddress
  /// Prometheus metrics over HTTP (`GET /metrics`).
  public var metricsListen: ListenAddress
  /// swift-log level name: trace, debug, info, notice, warning, error, critical.
  public var logLevel: String
  /// CivicWire limits (docs/PROTOCOL.md, section 6.3).
  public var maxConcurrentStreams: Int
  public var maxMessageSize: Int
  public var idleTimeoutSeconds: Int
  public var gracePeriodSeconds: Int
  /// Where CivicWire calls run (docs/OPERATIONS.md).
  public var wireCallExecutor: WireCallExecutor = .eventLoop
  /// Admission control (docs/RELIABILITY.md): the most calls running at once on this
  /// instance, both listeners together; 0: no limit.
  public var maxCallsInFlight: Int
  /// Per-role token buckets for authenticated calls (`ROLE=RATE/BURST,…`); empty: none.
  public var rateLimits: RateLimits
  /// Seconds between this instance's warning sweeps (docs/SUPERVISION.md); 0: it does not sweep.
  public var warningSweepSeconds: Int
  /// Working days before a contract covering a published catalogue item ends with nothing
  /// after it that the sweeper tells its purchasing unit (docs/CONTRACTS.md); 0: never.
  public var contractNoticeWorkingDays: Int = 5
  /// TLS on both listeners (docs/SECURITY.md); nil: plaintext.
  public var tls: TLSFiles?
  /// The OpenTelemetry collector that receives traces over OTLP/gRPC, `http://HOST:PORT` or
  /// `https://HOST:PORT` (docs/OPERATIONS.md, Tracing); nil (the default): tracing is off.
  public var otlpEndpoint: String?
  /// The fraction of new traces recorded, 0...1 (default 1); a call whose caller sent a
  /// `traceparent` follows the caller's sampling decision.
  public var traceSampleRatio: Double
  /// A streaming replica of the database (libpq URL or connection string) that serves the
  /// read-only methods while it is fresh (docs/SCALING.md, "Reads from a replica"); nil (the
  /// default): everything on the primary.
  public var readDatabaseURL: String? = nil
  /// The most staleness, in milliseconds, a read from the replica may have (default 2000);
  /// past it, or with the replica unreachable, reads go to the primary.
  public var readMaxLagMilliseconds: Int = 2000

  public static var defaults: ServerConfiguration {
    ServerConfiguration(
      wireListen: ListenAddress(host: "127.0.0.1", port: 7400),
      grpcListen: ListenAddress(host: "127.0.0.1", port: 7401),
      metricsListen: ListenAddress(host: "127.0.0.1", port: 7402),
      logLevel: "info",
      maxConcurrentStreams: 100,
      maxMessageSize: 4 * 1024 * 1024,
      idleTimeoutSeconds: 300,
      gracePeriodSeconds: 30,
      maxCallsInFlight: 1000,
      rateLimits: .none,
      warningSweepSeconds: 5,
      tls: nil,
      otlpEndpoint: nil,
      traceSampleRatio: 1
    )
  }

  /// The CivicWire transport configuration these settings describe.
  public var wireConfig: CivicWireServerConfig {
    var config = CivicWireServerConfig.defaults
    config.settings.maxConcurrentStreams = self.maxConcurrentStreams
    config.settings.maxMessageSize = self.maxMessageSize
    config.idleTimeout = .seconds(Int64(self.idleTimeoutSeconds))
    config.gracePeriod = .seconds(Int64(self.gracePeriodSeconds))
    config.callsOnEventLoop = self.wireCallExecutor == .eventLoop
    return config
  }

  /// Keys shared by the config file (JSON object) and the environment (upper-cased,
  /// prefixed `CIVICGRID_`).
  public static let keys = [
    "wire_listen", "grpc_listen", "metrics_listen", "log_level",
    "max_concurrent_streams", "max_message_size", "idle_timeout_seconds", "grace_period_seconds",
    "warning_sweep_seconds", "max_calls_in_flight", "rate_limits",
  ] + ["contract_notice_working_days", "wire_call_executor"] + TLSFiles.keys + ["otlp_endpoint", "trace_sample_ratio"] + ["read_database_url", "read_max_lag_ms"]

  /// Applies one setting given as text; `source` names where it came from for errors.
  public mutating func apply(key: String, value: String, source: String) throws(ConfigurationError) {
    func int(_ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
      guard let number = Int(value), range.contains(number) else {
        throw ConfigurationError("\(source): \(key) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(value)'")
      }
      return number
    }
    func address() throws(ConfigurationError) -> ListenAddress {
      guard let address = ListenAddress(parsing: value) else {
        throw ConfigurationError("\(source): \(key) must be HOST:PORT, got '\(value)'")
      }
      return address
    }
    switch key {
    case "wire_listen": self.wireListen = try address()
    case "grpc_listen": self.grpcListen = try address()
    case "metrics_listen": self.metricsListen = try address()
    case "log_level":
      let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
      guard levels.contains(value) else {
        throw ConfigurationError("\(source): log_level must be one of \(levels.joined(separator: ", ")), got '\(value)'")
      }
      self.logLevel = value
    case "max_concurrent_streams": self.maxConcurrentStreams = try int(1...100_000)
    case "max_message_size": self.maxMessageSize = try int(1024...(64 * 1024 * 1024))
    case "idle_timeout_seconds": self.idleTimeoutSeconds = try int(1...86_400)
    case "grace_period_seconds": self.gracePeriodSeconds = try int(0...3_600)
    case "warning_sweep_seconds": self.warningSweepSeconds = try int(0...3_600)
    case "contract_notice_working_days": self.contractNoticeWorkingDays = try int(0...60)
    case "max_calls_in_flight": self.maxCallsInFlight = try int(0...1_000_000)
    case "wire_call_executor":
      guard let executor = WireCallExecutor(rawValue: value) else {
        throw ConfigurationError("\(source): wire_call_executor must be event_loop or global, got '\(value)'")
      }
      self.wireCallExecutor = executor
    case "rate_limits":
      do {
        self.rateLimits = try RateLimits(parsing: value)
      } catch {
        throw ConfigurationError("\(source): rate_limits: \(error.description)")
      }
    case _ where TLSFiles.keys.contains(key): try TLSFiles.apply(key: key, value: value, source: source, to: &self.tls)
    case "otlp_endpoint": self.otlpEndpoint = try TracingSettings.endpoint(value, source: source)
    case "trace_sample_ratio": self.traceSampleRatio = try TracingSettings.ratio(value, source: source)
    case "read_database_url": self.readDatabaseURL = value.isEmpty ? nil : value
    case "read_max_lag_ms": self.readMaxLagMilliseconds = try int(0...3_600_000)
    default:
      throw ConfigurationError("\(source): unknown setting '\(key)' (known: \(Self.keys.joined(separator: ", ")))")
    }
  }

  /// Applies a JSON config file: an object whose keys are those of ``keys``.
  public mutating func apply(file path: String) throws(ConfigurationError) {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
    }
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw ConfigurationError("config file \(path) is not a JSON object")
    }
    for key in object.keys.sorted() {
      let value = object[key]!
      let text: String
      switch value {
      case let string as String: text = string
      // JSON true/false arrive as NSNumber too ("1"/"0"): no setting is a boolean, so refuse
      // them rather than read `true` as 1. Booleans are the char-typed NSNumbers.
      case let number as NSNumber where ["c", "B"].contains(String(cString: number.objCType)):
        throw ConfigurationError("config file \(path): \(key) must be a string or a number, got \(number.boolValue)")
      case let number as NSNumber: text = number.stringValue
      default: throw ConfigurationError("config file \(path): \(key) must be a string or a number")
      }
      try self.apply(key: key, value: text, source: "config file \(path)")
    }
  }

  /// Refuses settings that are each valid but do not go together.
  public func validated() throws(ConfigurationError) -> ServerConfiguration {
    try self.tls?.validate()
    return self
  }

  /// Applies `CIVICGRID_<KEY>` environment variables.
  public mutating func apply(environment: [String: String]) throws(ConfigurationError) {
    for key in Self.keys {
      let name = "CIVICGRID_" + key.uppercased()
      if let value = environment[name] {
        try self.apply(key: key, value: value, source: "environment \(name)")
      }
    }
  }
}

/// A host and port to listen on; port 0 picks a free port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
  public var host: String
  public var port: Int

  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// Parses "HOST:PORT" or "[IPv6]:PORT".
  public init?(parsing text: String) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
      (0...65_535).contains(port)
    else { return nil }
    var host = String(text[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty else { return nil }
    self.host = host
    self.port = port
  }

  public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
}

/// A configuration value that cannot be used; the message names the source and key.
public struct ConfigurationError: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Where CivicWire calls run: on the event loop serving their connection (the default), or
/// on Swift's global executor, as the gRPC/HTTP/2 listener's do.
public enum WireCallExecutor: String, Sendable, Equatable {
  case eventLoop = "event_loop"
  case global
}
