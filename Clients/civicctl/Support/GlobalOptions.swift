import ArgumentParser
import Foundation

/// Options every command that talks to a server takes.
struct GlobalOptions: ParsableArguments {
  @Option(help: "Server address HOST:PORT (env CIVICGRID_SERVER; else the login's; default 127.0.0.1:7400).")
  var server: String?

  @Option(help: "Transport: wire (CivicWire, port 7400) or http2 (standard gRPC, port 7401); default the login's, else wire.")
  var transport: String?

  @Option(help: "Bearer token (env CIVICCTL_TOKEN; else the one `civicctl login` stored).")
  var token: String?

  @Option(help: "Call timeout in seconds.")
  var timeout: Double = 10

  @Option(name: .customLong("metadata"), help: "Call metadata KEY=VALUE (repeatable); keys ending -bin take base64.")
  var metadata: [String] = []

  @Flag(help: "Print machine-readable JSON.")
  var json = false

  @Flag(help: "Start a trace: send a fresh W3C traceparent and print its trace id on stderr.")
  var trace = false

  @Option(help: "Join a trace: send this W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>).")
  var traceparent: String?

  @Flag(
    name: .customLong("no-min-lsn"),
    help: "Do not send the newest commit position seen from this server (civicgrid-min-lsn): reads may then lag earlier commands' writes."
  )
  var noMinLSN = false

  @OptionGroup(title: "TLS")
  var tls: TLSOptions

  func validate() throws {
    if let transport = self.transport { try Endpoint.checkTransport(transport) }
    guard self.timeout > 0 else { throw ValidationError("--timeout must be positive") }
    if let server = self.server { _ = try Endpoint.split(server) }
    _ = try self.parsedMetadata()
    _ = try self.traceParent()
  }

  /// The trace context to send: --traceparent, a fresh one for --trace, else none.
  func traceParent() throws -> TraceParent? {
    if let text = self.traceparent {
      guard !self.trace else { throw ValidationError("--trace and --traceparent cannot be combined") }
      guard let parsed = TraceParent(parsing: text) else {
        throw ValidationError("--traceparent must be a W3C traceparent 00-<32 hex>-<16 hex>-<2 hex>, got '\(text)'")
      }
      return parsed
    }
    return self.trace ? TraceParent.random() : nil
  }

  /// Where and as whom to call: flags, then the environment, then the stored login.
  func endpoint(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    stored: StoredLogin?? = nil
  ) throws -> Endpoint {
    let login: StoredLogin?
    if let stored {
      login = stored
    } else {
      login = try ConfigFile(environment: environment).load()
    }
    var endpoint = try Endpoint.resolve(
      server: self.server,
      transport: self.transport,
      token: self.token,
      environment: environment,
      stored: login
    )
    endpoint.tls = self.tls.settings
    endpoint.positions = CommitPositions(config: ConfigFile(environment: environment))
    endpoint.sendsMinimumPosition = !self.noMinLSN
    return endpoint
  }

  func parsedMetadata() throws -> [(key: String, value: MetadataValue)] {
    try self.metadata.map { item in
      guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
        throw ValidationError("--metadata must be KEY=VALUE, got '\(item)'")
      }
      let key = item[..<equals].lowercased()
      let value = String(item[item.index(after: equals)...])
      if key.hasSuffix("-bin") {
        guard let data = Data(base64Encoded: value) else {
          throw ValidationError("--metadata \(key) ends in -bin, so its value must be base64")
        }
        return (key, .binary(Array(data)))
      }
      return (key, .string(value))
    }
  }

  enum MetadataValue {
    case string(String)
    case binary([UInt8])
  }
}

/// The resolved server, transport and token of one command.
struct Endpoint: Equatable, Sendable {
  static let defaultServer = "127.0.0.1:7400"

  var host: String
  var port: Int
  var transport: String
  var token: String?
  /// nil: plaintext.
  var tls: ClientTLSSettings? = nil
  /// Where the newest commit position seen from each server is kept; nil: nowhere.
  var positions: CommitPositions? = nil
  /// Whether calls send the stored position as `civicgrid-min-lsn` (not with --no-min-lsn).
  var sendsMinimumPosition = true

  /// "HOST:PORT" as given back to people and to the config file.
  var server: String {
    self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
  }

  /// Flags win, then `CIVICGRID_SERVER` / `CIVICCTL_TOKEN`, then the stored login, then defaults.
  /// The stored transport and token only apply when the server is the stored one: a token
  /// is never sent to a server it was not stored for.
  static func resolve(
    server: String?,
    transport: String?,
    token: String?,
    environment: [String: String],
    stored: StoredLogin?
  ) throws -> Endpoint {
    let envServer = environment["CIVICGRID_SERVER"].flatMap { $0.isEmpty ? nil : $0 }
    let chosenServer = server ?? envServer ?? stored?.server ?? Self.defaultServer
    let storedApplies = stored.map { $0.server == chosenServer } ?? false
    let chosenTransport = transport ?? (storedApplies ? stored?.transport : nil) ?? "wire"
    try Self.checkTransport(chosenTransport)
    let envToken = environment["CIVICCTL_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    let chosenToken = token ?? envToken ?? (storedApplies ? stored?.token : nil)
    let (host, port) = try Self.split(chosenServer)
    return Endpoint(host: host, port: port, transport: chosenTransport, token: chosenToken)
  }

  static func checkTransport(_ transport: String) throws {
    guard ["wire", "http2"].contains(transport) else {
      throw ValidationError("--transport must be wire or http2, got '\(transport)'")
    }
  }

  static func split(_ text: String) throws -> (host: String, port: Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
      (1...65_535).contains(port), colon != text.startIndex
    else {
      throw ValidationError("--server must be HOST:PORT, got '\(text)'")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return (host, port)
  }
}
