import CivicProtos
import CivicWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// Something a command does with a connected client, whatever its transport.
protocol ClientAction: Sendable {
  associatedtype Output: Sendable
  func run<Transport: ClientTransport>(_ client: GRPCClient<Transport>) async throws -> Output
}

/// The typed service clients of one connection, transport erased, for commands that call
/// the domain services.
struct Services: Sendable {
  let directory: any Civicgrid_V1_Directory.ClientProtocol
  let audit: any Civicgrid_V1_Audit.ClientProtocol
  let catalog: any Civicgrid_V1_Catalog.ClientProtocol
  let calendar: any Civicgrid_V1_Calendar.ClientProtocol
  let cases: any Civicgrid_V1_Cases.ClientProtocol
  let appointments: any Civicgrid_V1_Appointments.ClientProtocol
  let supervision: any Civicgrid_V1_Supervision.ClientProtocol
  let disputes: any Civicgrid_V1_Disputes.ClientProtocol
  let requests: any Civicgrid_V1_Requests.ClientProtocol
  let fieldEvents: any Civicgrid_V1_FieldEvents.ClientProtocol
  let grids: any Civicgrid_V1_Grids.ClientProtocol
  let people: any Civicgrid_V1_People.ClientProtocol
  let accessLists: any Civicgrid_V1_AccessLists.ClientProtocol
  let contracts: any Civicgrid_V1_Contracts.ClientProtocol
  /// Metadata every call carries (the bearer token and any --metadata).
  let metadata: Metadata
  let options: CallOptions

  init<Transport: ClientTransport>(_ client: GRPCClient<Transport>, metadata: Metadata, options: CallOptions) {
    self.directory = Civicgrid_V1_Directory.Client(wrapping: client)
    self.audit = Civicgrid_V1_Audit.Client(wrapping: client)
    self.catalog = Civicgrid_V1_Catalog.Client(wrapping: client)
    self.calendar = Civicgrid_V1_Calendar.Client(wrapping: client)
    self.cases = Civicgrid_V1_Cases.Client(wrapping: client)
    self.appointments = Civicgrid_V1_Appointments.Client(wrapping: client)
    self.supervision = Civicgrid_V1_Supervision.Client(wrapping: client)
    self.disputes = Civicgrid_V1_Disputes.Client(wrapping: client)
    self.requests = Civicgrid_V1_Requests.Client(wrapping: client)
    self.fieldEvents = Civicgrid_V1_FieldEvents.Client(wrapping: client)
    self.grids = Civicgrid_V1_Grids.Client(wrapping: client)
    self.people = Civicgrid_V1_People.Client(wrapping: client)
    self.accessLists = Civicgrid_V1_AccessLists.Client(wrapping: client)
    self.contracts = Civicgrid_V1_Contracts.Client(wrapping: client)
    self.metadata = metadata
    self.options = options
  }
}

/// Runs a closure over `Services`.
struct ServicesAction<Output: Sendable>: ClientAction {
  let metadata: Metadata
  let options: CallOptions
  let body: @Sendable (Services) async throws -> Output

  func run<Transport: ClientTransport>(_ client: GRPCClient<Transport>) async throws -> Output {
    try await self.body(Services(client, metadata: self.metadata, options: self.options))
  }
}

/// Runs actions with a gRPC client over the transport the options name.
enum ClientFactory {
  static func run<Action: ClientAction>(_ action: Action, _ options: GlobalOptions) async throws -> Action.Output {
    try await self.run(action, endpoint: try options.endpoint())
  }

  static func run<Action: ClientAction>(_ action: Action, endpoint: Endpoint) async throws -> Action.Output {
    // Read-your-writes between commands (docs/SCALING.md): every call of every command.
    let interceptors: [any ClientInterceptor] = endpoint.positions.map {
      [CommitPositionInterceptor(positions: $0, server: endpoint.server, sendsMinimum: endpoint.sendsMinimumPosition)]
    } ?? []
    switch endpoint.transport {
    case "http2":
      var config = HTTP2ClientTransport.Posix.Config.defaults
      config.http2.authority = endpoint.tls?.serverName
      // An IPv6 literal is not a DNS name.
      let target: any ResolvableTarget =
        endpoint.host.contains(":")
        ? .ipv6(address: endpoint.host, port: endpoint.port) as ResolvableTargets.IPv6
        : .dns(host: endpoint.host, port: endpoint.port) as ResolvableTargets.DNS
      let transport = try HTTP2ClientTransport.Posix(
        target: target,
        transportSecurity: endpoint.tls.map(ClientTLS.http2) ?? .plaintext,
        config: config
      )
      return try await withGRPCClient(transport: transport, interceptors: interceptors) { client in try await action.run(client) }
    default:
      var config = CivicWireClientTransport.Config.defaults
      config.tls = try endpoint.tls.map(ClientTLS.wire)
      let transport = try CivicWireClientTransport(host: endpoint.host, port: endpoint.port, config: config)
      return try await withGRPCClient(transport: transport, interceptors: interceptors) { client in try await action.run(client) }
    }
  }

  /// Calls the domain services with the endpoint, token, metadata and timeout of the options.
  static func withServices<Output: Sendable>(
    _ options: GlobalOptions,
    endpoint: Endpoint? = nil,
    _ body: @escaping @Sendable (Services) async throws -> Output
  ) async throws -> Output {
    let endpoint = try endpoint ?? options.endpoint()
    let action = ServicesAction(
      metadata: try self.metadata(options, token: endpoint.token),
      options: self.callOptions(options),
      body: body
    )
    return try await self.run(action, endpoint: endpoint)
  }

  static func callOptions(_ options: GlobalOptions) -> CallOptions {
    var callOptions = CallOptions.defaults
    callOptions.timeout = .milliseconds(Int64(options.timeout * 1000))
    return callOptions
  }

  /// --metadata, plus `authorization: Bearer <token>` when there is a token and --metadata
  /// did not set authorization itself.
  static func metadata(_ options: GlobalOptions, token: String?) throws -> Metadata {
    var metadata = Metadata()
    for (key, value) in try options.parsedMetadata() {
      switch value {
      case .string(let string): metadata.addString(string, forKey: key)
      case .binary(let bytes): metadata.addBinary(bytes, forKey: key)
      }
    }
    if let token, !token.isEmpty, !metadata.contains(where: { $0.key == "authorization" }) {
      metadata.addString("Bearer \(token)", forKey: "authorization")
    }
    if let trace = try options.traceParent() {
      metadata.replaceOrAddString(trace.header, forKey: "traceparent")
      FileHandle.standardError.write(Data("civicctl: trace id \(trace.traceID)\n".utf8))
    }
    return metadata
  }

  static func metadata(_ options: GlobalOptions) throws -> Metadata {
    try self.metadata(options, token: try options.endpoint().token)
  }
}
