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
  /// ("civicWire,http2") when narrowing a run while debugging. A name that is not a
  /// transport, or a list naming none, is refused: a misspelling must not turn every
  /// parameterised test into zero cases that pass.
  static var selected: [TransportKind] {
    get throws {
      try Self.parse(ProcessInfo.processInfo.environment["CIVICGRID_TEST_TRANSPORTS"])
    }
  }

  /// The transports a CIVICGRID_TEST_TRANSPORTS value names (nil: all of them).
  static func parse(_ value: String?) throws -> [TransportKind] {
    guard let value else { return Self.allCases }
    let names = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    var kinds: [TransportKind] = []
    for name in names {
      guard let kind = TransportKind(rawValue: name) else { throw SelectionError(value: value, unknown: name) }
      if !kinds.contains(kind) { kinds.append(kind) }
    }
    return kinds
  }

  struct SelectionError: Error, CustomStringConvertible {
    var value: String
    var unknown: String
    var description: String {
      "CIVICGRID_TEST_TRANSPORTS=\"\(self.value)\": \"\(self.unknown)\" is not a transport; use a comma-separated list of "
        + TransportKind.allCases.map(\.rawValue).joined(separator: ", ")
    }
  }

  /// The server's listening port for this transport.
  func port(in ports: CivicGridServer.BoundPorts) -> Int {
    switch self {
    case .civicWire: ports.wire
    case .http2: ports.grpc
    }
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
