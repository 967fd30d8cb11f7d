import CivicWire
import GRPCCore
import GRPCNIOTransportHTTP2

/// Something a command does with a connected client, whatever its transport.
protocol ClientAction: Sendable {
  associatedtype Output: Sendable
  func run<Transport: ClientTransport>(_ client: GRPCClient<Transport>) async throws -> Output
}

/// Runs actions with a gRPC client over the transport the options name.
enum ClientFactory {
  static func run<Action: ClientAction>(_ action: Action, _ options: GlobalOptions) async throws -> Action.Output {
    let (host, port) = try options.address
    switch options.transport {
    case "http2":
      let transport = try HTTP2ClientTransport.Posix(target: .dns(host: host, port: port), transportSecurity: .plaintext)
      return try await withGRPCClient(transport: transport) { client in try await action.run(client) }
    default:
      let transport = try CivicWireClientTransport(host: host, port: port)
      return try await withGRPCClient(transport: transport) { client in try await action.run(client) }
    }
  }

  static func callOptions(_ options: GlobalOptions) -> CallOptions {
    var callOptions = CallOptions.defaults
    callOptions.timeout = .milliseconds(Int64(options.timeout * 1000))
    return callOptions
  }

  static func metadata(_ options: GlobalOptions) throws -> Metadata {
    var metadata = Metadata()
    for (key, value) in try options.parsedMetadata() {
      switch value {
      case .string(let string): metadata.addString(string, forKey: key)
      case .binary(let bytes): metadata.addBinary(bytes, forKey: key)
      }
    }
    return metadata
  }
}
