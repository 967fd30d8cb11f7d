import CivicProtos
import CivicServer
import CivicWire
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

/// The two client transports every conformance case runs over.
enum TransportKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case civicWire
  case http2

  var testDescription: String { self.rawValue }

  /// The transports to test: all, or those named in CIVICGRID_TEST_TRANSPORTS
  /// ("civicWire,http2") when narrowing a run while debugging.
  static var selected: [TransportKind] {
    guard let names = ProcessInfo.processInfo.environment["CIVICGRID_TEST_TRANSPORTS"] else { return Self.allCases }
    return names.split(separator: ",").compactMap { TransportKind(rawValue: String($0)) }
  }

  /// Connects a gRPC client to the server's listener for this transport.
  func withClients<Result: Sendable>(
    _ ports: CivicGridServer.BoundPorts,
    _ body: @Sendable (TestClients) async throws -> Result
  ) async throws -> Result {
    switch self {
    case .civicWire:
      let transport = try CivicWireClientTransport(host: "127.0.0.1", port: ports.wire)
      return try await withGRPCClient(transport: transport) { client in
        try await body(TestClients(client))
      }
    case .http2:
      let transport = try HTTP2ClientTransport.Posix(
        target: .ipv4(address: "127.0.0.1", port: ports.grpc),
        transportSecurity: .plaintext
      )
      return try await withGRPCClient(transport: transport) { client in
        try await body(TestClients(client))
      }
    }
  }
}

/// Generated clients over one connection, erased to their protocols.
struct TestClients: Sendable {
  let diagnostics: any Civicgrid_V1_Diagnostics.ClientProtocol
  let unimplemented: any Civicgrid_V1_Unimplemented.ClientProtocol
  let health: any Grpc_Health_V1_Health.ClientProtocol

  init<Transport: ClientTransport>(_ client: GRPCClient<Transport>) {
    self.diagnostics = Civicgrid_V1_Diagnostics.Client(wrapping: client)
    self.unimplemented = Civicgrid_V1_Unimplemented.Client(wrapping: client)
    self.health = Grpc_Health_V1_Health.Client(wrapping: client)
  }
}

extension Civicgrid_V1_Payload {
  static func zeros(_ count: Int) -> Self {
    var payload = Self()
    payload.body = .init(repeating: 0, count: count)
    return payload
  }
}
