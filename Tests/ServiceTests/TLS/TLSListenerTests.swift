import CivicProtos
import CivicServer
import CivicServices
import CivicWire
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOSSL
import Testing

/// Both listeners over TLS with client certificates required (docs/SECURITY.md): calls work
/// with a certificate of the configured CA, a mapped certificate acts as its account without a
/// token, and every handshake the server must refuse is refused.
@Suite("TLS and mutual TLS on both listeners", .timeLimit(.minutes(5)))
struct TLSListenerTests {
  enum Listener: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case wire, http2
    var testDescription: String { self.rawValue }
  }

  /// What a test client presents: trust roots, client certificate, name to verify.
  struct ClientSide: Sendable {
    var caFile: String?
    var certificate: String?
    var serverName: String?

    static func of(_ certificates: TestCertificates, ca: String = "ca", certificate: String? = "partner", serverName: String? = nil) -> ClientSide {
      ClientSide(caFile: certificates.path("\(ca).pem"), certificate: certificate.map { certificates.path($0) }, serverName: serverName)
    }
  }

  /// `WhoAmI` over `listener` with `client`'s TLS; the login the server says the caller is.
  static func whoAmI(_ harness: ServiceHarness, _ listener: Listener, _ client: ClientSide, metadata: Metadata = [:]) async throws -> String {
    var options = CallOptions.defaults
    options.timeout = .seconds(10)
    options.waitForReady = false
    switch listener {
    case .wire:
      var config = CivicWireClientTransport.Config.defaults
      let tls = try CivicWireTLS.clientConfiguration(
        caFile: client.caFile,
        certificateFile: client.certificate.map { "\($0).pem" },
        keyFile: client.certificate.map { "\($0).key" }
      )
      config.tls = .init(context: try NIOSSLContext(configuration: tls), serverHostname: client.serverName)
      config.connectTimeout = .seconds(5)
      let transport = try CivicWireClientTransport(host: "127.0.0.1", port: harness.ports.wire, config: config)
      return try await withGRPCClient(transport: transport) { grpc in
        try await Civicgrid_V1_Directory.Client(wrapping: grpc).whoAmI(.init(), metadata: metadata, options: options).account.login
      }
    case .http2:
      var config = HTTP2ClientTransport.Posix.Config.defaults
      config.http2.authority = client.serverName
      let transport = try HTTP2ClientTransport.Posix(
        target: .ipv4(address: "127.0.0.1", port: harness.ports.grpc),
        transportSecurity: .tls { tls in
          if let caFile = client.caFile { tls.trustRoots = .certificates([.file(path: caFile, format: .pem)]) }
          if let certificate = client.certificate {
            tls.certificateChain = [.file(path: "\(certificate).pem", format: .pem)]
            tls.privateKey = .file(path: "\(certificate).key", format: .pem)
          }
        },
        config: config
      )
      return try await withGRPCClient(transport: transport) { grpc in
        try await Civicgrid_V1_Directory.Client(wrapping: grpc).whoAmI(.init(), metadata: metadata, options: options).account.login
      }
    }
  }

  /// - Parameter serverCertificate: The ops/certs name of the certificate the server presents.
  static func withTLSServer(
    serverCertificate: String = "server",
    _ body: @Sendable @escaping (ServiceHarness, TestCertificates) async throws -> Void
  ) async throws {
    try await TestCertificates.with { certificates in
      var files = certificates.serverFiles
      files.certificateChain = certificates.path("\(serverCertificate).pem")
      files.privateKey = certificates.path("\(serverCertificate).key")
      try await ServiceHarness.withServer(adjust: { [files] in $0.tls = files }) { harness in
        try await body(harness, certificates)
      }
    }
  }

  @Test("a call over TLS with a mapped client certificate and no token acts as the mapped account", arguments: Listener.allCases)
  func mappedCertificateActsAsAccount(listener: Listener) async throws {
    try await Self.withTLSServer { harness, certificates in
      let login = try await Self.whoAmI(harness, listener, .of(certificates))
      #expect(login == "partner")
    }
  }

  @Test("over mutual TLS a bearer token wins over the certificate", arguments: Listener.allCases)
  func bearerTokenWins(listener: Listener) async throws {
    try await Self.withTLSServer { harness, certificates in
      let login = try await Self.whoAmI(harness, listener, .of(certificates, serverName: "localhost"), metadata: .bearer(harness.adminToken))
      #expect(login == "admin")
    }
  }

  @Test("a client certificate of the trusted CA that no account is mapped to gets UNAUTHENTICATED", arguments: Listener.allCases)
  func unmappedCertificateIsUnauthenticated(listener: Listener) async throws {
    try await Self.withTLSServer { harness, certificates in
      let error = await #expect(throws: RPCError.self) {
        _ = try await Self.whoAmI(harness, listener, .of(certificates, certificate: "unmapped"))
      }
      #expect(error?.code == .unauthenticated)
      #expect(error?.message == AuthInterceptor.unmappedCertificateMessage)
    }
  }

  @Test(
    "handshakes the server or the client must refuse fail the call UNAVAILABLE",
    arguments: Listener.allCases,
    [
      "no client certificate", "client certificate of another CA", "expired client certificate",
      "server certificate of a CA the client does not trust", "server certificate for another name",
    ]
  )
  func refusedHandshakes(listener: Listener, case name: String) async throws {
    // A certificate for elsewhere.test only, where the client checks 127.0.0.1.
    let serverCertificate = name == "server certificate for another name" ? "wrong-name" : "server"
    try await Self.withTLSServer(serverCertificate: serverCertificate) { harness, certificates in
      let client: ClientSide =
        switch name {
        case "no client certificate": .of(certificates, certificate: nil)
        case "client certificate of another CA": .of(certificates, certificate: "stranger")
        case "expired client certificate": .of(certificates, certificate: "expired")
        case "server certificate of a CA the client does not trust": .of(certificates, ca: "other-ca")
        default: .of(certificates)
        }
      let error = await #expect(throws: RPCError.self) { _ = try await Self.whoAmI(harness, listener, client) }
      #expect(error?.code == .unavailable, "\(name): \(String(describing: error))")
    }
  }

  @Test("TLS 1.1 and 1.0 are refused; TLS 1.2 is accepted; 1.3 is chosen when offered; ALPN is civicwire/1 or h2", arguments: Listener.allCases)
  func protocolVersionsAndALPN(listener: Listener) async throws {
    try await Self.withTLSServer { harness, certificates in
      let port = listener == .wire ? harness.ports.wire : harness.ports.grpc
      var configuration = try CivicWireTLS.clientConfiguration(
        caFile: certificates.path("ca.pem"),
        certificateFile: certificates.path("partner.pem"),
        keyFile: certificates.path("partner.key"),
        alpn: listener == .wire ? [CivicWireTLS.alpn] : ["h2"]
      )
      let modern = await TLSHandshake.attempt(port: port, configuration: configuration)
      #expect(try modern.get() == .init(version: .tlsv13, alpn: listener == .wire ? "civicwire/1" : "h2"))

      configuration.maximumTLSVersion = .tlsv12
      let tls12 = await TLSHandshake.attempt(port: port, configuration: configuration)
      #expect(try tls12.get().version == .tlsv12)

      for old in [TLSVersion.tlsv11, .tlsv1] {
        configuration.minimumTLSVersion = .tlsv1
        configuration.maximumTLSVersion = old
        let refused = await TLSHandshake.attempt(port: port, configuration: configuration)
        #expect(throws: (any Error).self, "\(old) must be refused") { try refused.get() }
      }
    }
  }

  @Test("a plaintext CivicWire client against the TLS listener fails UNAVAILABLE, saying a TLS listener may be why")
  func plaintextClientGetsClearFailure() async throws {
    try await Self.withTLSServer { harness, _ in
      let error = await #expect(throws: RPCError.self) {
        _ = try await harness.directory.whoAmI(.init(), metadata: .bearer(harness.adminToken))
      }
      #expect(error?.code == .unavailable)
      #expect(error?.message.contains("a TLS listener does so to a plaintext client") == true, "\(String(describing: error))")
    }
  }

  @Test("a plaintext HTTP/2 client against the TLS listener fails UNAVAILABLE")
  func plaintextHTTP2ClientFails() async throws {
    try await Self.withTLSServer { harness, _ in
      var options = CallOptions.defaults
      options.timeout = .seconds(10)
      options.waitForReady = false
      let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: harness.ports.grpc), transportSecurity: .plaintext)
      let error = await #expect(throws: RPCError.self) {
        try await withGRPCClient(transport: transport) { grpc in
          _ = try await Civicgrid_V1_Directory.Client(wrapping: grpc).whoAmI(.init(), metadata: .bearer(harness.adminToken), options: options)
        }
      }
      #expect(error?.code == .unavailable)
    }
  }
}
