import CivicServer
import Foundation
import Testing

/// civicctl as a partner runs it against a mutual-TLS server: its TLS options on both
/// transports, a DNS name and an address as the server, no token.
@Suite("civicctl over TLS", .timeLimit(.minutes(5)))
struct CivicctlTLSTests {
  @Test("civicctl whoami with a partner certificate and no token answers the mapped account over both transports; without a certificate it fails UNAVAILABLE")
  func whoAmIWithCertificate() async throws {
    try await TestCertificates.with { certificates in
      try await ServiceHarness.withServer(adjust: { $0.tls = certificates.serverFiles }) { harness in
        let runner = CivicctlRunner(wirePort: harness.ports.wire)
        defer { runner.close() }
        let tls = ["--ca-file", certificates.path("ca.pem")]
        let identity = ["--cert", certificates.path("partner.pem"), "--key", certificates.path("partner.key")]
        let servers = [
          ["--server", "localhost:\(harness.ports.wire)"],
          ["--server", "127.0.0.1:\(harness.ports.wire)", "--server-name", "localhost"],
          ["--server", "localhost:\(harness.ports.grpc)", "--transport", "http2"],
        ]
        for server in servers {
          let result = try await runner.run(["whoami", "--json"] + server + tls + identity)
          #expect(result.status == 0, "\(server): \(result.stderr)")
          let me = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
          #expect((me?["account"] as? [String: Any])?["login"] as? String == "partner", "\(server)")

          let anonymous = try await runner.run(["whoami"] + server + tls)
          #expect(anonymous.status == 14, "\(server): \(anonymous.stderr)")
        }
        let mismatched = try await runner.run(["whoami", "--server", "localhost:\(harness.ports.wire)", "--cert", certificates.path("partner.pem")])
        #expect(mismatched.status == 64 && mismatched.stderr.contains("--cert and --key go together"), "\(mismatched.stderr)")
      }
    }
  }
}
