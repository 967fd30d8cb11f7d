import CivicProtos
import CivicServer
import CivicStore
import CivicWire
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing

/// The live feeds answer with their response headers as soon as the call is admitted, so a
/// subscriber knows it is subscribed before the first alert or event exists (docs/SUPERVISION.md).
@Suite("Feed headers", .serialized, .timeLimit(.minutes(5)))
struct FeedHeadersTests {
  enum Listener: String, CaseIterable, Sendable {
    case civicWire
    case http2
  }

  /// A generous bound: headers come in milliseconds; this only keeps a broken build from hanging.
  static var options: CallOptions {
    var options = CallOptions.defaults
    options.timeout = .seconds(5)
    return options
  }

  /// A subscription to one of the feeds.
  enum Feed: Sendable {
    case alerts(Civicgrid_V1_WatchAlertsRequest)
    case events(Civicgrid_V1_WatchEventsRequest)
  }

  /// Subscribes over `listener` and returns once the response headers arrived (the call is
  /// accepted), before any message; the call's timeout fails it if they never come.
  static func accepted(_ feed: Feed, token: String, over listener: Listener, _ ports: CivicGridServer.BoundPorts) async throws -> Bool {
    switch listener {
    case .civicWire:
      return try await Self.accepted(feed, token: token, over: CivicWireClientTransport(host: "127.0.0.1", port: ports.wire))
    case .http2:
      let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: ports.grpc), transportSecurity: .plaintext)
      return try await Self.accepted(feed, token: token, over: transport)
    }
  }

  static func accepted<Transport: ClientTransport>(_ feed: Feed, token: String, over transport: Transport) async throws -> Bool {
    try await withGRPCClient(transport: transport) { client in
      switch feed {
      case .alerts(let request):
        return try await Civicgrid_V1_Supervision.Client(wrapping: client).watchAlerts(
          request: ClientRequest(message: request, metadata: .bearer(token)),
          options: Self.options
        ) { response in
          try response.accepted.get()
          return true
        }
      case .events(let request):
        return try await Civicgrid_V1_Cases.Client(wrapping: client).watchEvents(
          request: ClientRequest(message: request, metadata: .bearer(token)),
          options: Self.options
        ) { response in
          try response.accepted.get()
          return true
        }
      }
    }
  }

  @Test("WatchAlerts: the subscriber gets the initial metadata while no alert is there to send", arguments: Listener.allCases)
  func alertHeaders(listener: Listener) async throws {
    try await ServiceHarness.withServer { harness in
      let token = try await harness.token(for: "supervisor")
      var request = Civicgrid_V1_WatchAlertsRequest()
      request.after = try await harness.store.query("SELECT coalesce(max(seq), 0) FROM supervision_alerts").scalar(Int64.self) ?? 0
      #expect(try await Self.accepted(.alerts(request), token: token, over: listener, harness.ports))
    }
  }

  @Test("WatchEvents: the partner gets the initial metadata while no event is there to send", arguments: Listener.allCases)
  func eventHeaders(listener: Listener) async throws {
    try await ServiceHarness.withServer { harness in
      let token = try await harness.token(for: "partner")
      var request = Civicgrid_V1_WatchEventsRequest()
      request.after = try await harness.store.query("SELECT coalesce(max(seq), 0) FROM case_events").scalar(Int64.self) ?? 0
      #expect(try await Self.accepted(.events(request), token: token, over: listener, harness.ports))
    }
  }
}
