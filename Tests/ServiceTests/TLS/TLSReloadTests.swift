import CivicServer
import CivicServices
import Foundation
import GRPCCore
import Logging
import Testing

/// Reloading TLS without a restart (civicgridd on SIGHUP, docs/OPERATIONS.md): the client
/// certificate to account map and the server certificate change for new connections on both
/// listeners, and a bad file or a change that needs a restart keeps what was in force.
@Suite("TLS reload without a restart", .timeLimit(.minutes(5)))
struct TLSReloadTests {
  typealias Listener = TLSListenerTests.Listener

  /// The harness's server TLS settings with `change` applied, as a re-read would give them.
  static func settings(_ harness: ServiceHarness, _ certificates: TestCertificates, _ change: (inout TLSFiles) -> Void) -> ServerConfiguration {
    var configuration = ServerConfiguration.defaults
    var files = certificates.serverFiles
    change(&files)
    configuration.tls = files
    return configuration
  }

  @Test("a new tls_client_accounts applies to new connections without a restart; a bad file or setting keeps the old map and logs an error", arguments: Listener.allCases)
  func clientAccountsReload(listener: Listener) async throws {
    try await TLSListenerTests.withTLSServer { harness, certificates in
      let log = CapturedLog()
      let reloader = TLSReloader(server: harness.server, accounts: harness.certificateAccounts, logger: log.logger())
      #expect(try await TLSListenerTests.whoAmI(harness, listener, .of(certificates)) == "partner")

      let applied = reloader.reload { Self.settings(harness, certificates) { $0.clientAccounts = ["partner-system": "clerk"] } }
      #expect(applied)
      #expect(try await TLSListenerTests.whoAmI(harness, listener, .of(certificates)) == "clerk")

      // A certificate file that is not PEM: nothing changes, and the error names the setting.
      let garbage = certificates.path("garbage.pem")
      try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: garbage))
      let refused = reloader.reload {
        Self.settings(harness, certificates) {
          $0.certificateChain = garbage
          $0.clientAccounts = ["partner-system": "admin"]
        }
      }
      #expect(!refused)
      // A malformed setting in the re-read sources: the same.
      let malformed = reloader.reload {
        var configuration = ServerConfiguration.defaults
        try configuration.apply(key: "tls_client_accounts", value: "no-equals-sign", source: "config file")
        return configuration
      }
      #expect(!malformed)
      #expect(try await TLSListenerTests.whoAmI(harness, listener, .of(certificates)) == "clerk")
      let errors = log.lines.filter { $0.level == .error }
      #expect(errors.count == 2)
      #expect(errors.first?.rendered.contains("tls_cert: \(garbage) is not PEM certificates") == true, "\(errors)")
      #expect(errors.last?.rendered.contains("tls_client_accounts must be NAME=LOGIN pairs") == true, "\(errors)")
    }
  }

  @Test("a reloaded server certificate is what new connections see, on both listeners", arguments: Listener.allCases)
  func serverCertificateReload(listener: Listener) async throws {
    // Started with a certificate for elsewhere.test only: a client checking 127.0.0.1 refuses it.
    try await TLSListenerTests.withTLSServer(serverCertificate: "wrong-name") { harness, certificates in
      let reloader = TLSReloader(server: harness.server, accounts: harness.certificateAccounts, logger: CapturedLog().logger())
      let before = await #expect(throws: RPCError.self) { _ = try await TLSListenerTests.whoAmI(harness, listener, .of(certificates)) }
      #expect(before?.code == .unavailable)
      let applied = reloader.reload { Self.settings(harness, certificates) { _ in } }
      #expect(applied)
      let login = try await TLSListenerTests.whoAmI(harness, listener, .of(certificates))
      #expect(login == "partner")
    }
  }

  @Test("a reload that changes the client CA or turns TLS off is refused, naming the restart it needs")
  func changesThatNeedARestart() async throws {
    try await TLSListenerTests.withTLSServer { harness, certificates in
      let log = CapturedLog()
      let reloader = TLSReloader(server: harness.server, accounts: harness.certificateAccounts, logger: log.logger())
      let otherCA = reloader.reload { Self.settings(harness, certificates) { $0.clientCA = certificates.path("other-ca.pem") } }
      let plaintext = reloader.reload { ServerConfiguration.defaults }
      #expect(!otherCA)
      #expect(!plaintext)
      let errors = log.lines.filter { $0.level == .error }.map(\.rendered)
      #expect(errors.count == 2)
      #expect(errors.first?.contains("tls_client_ca changed") == true, "\(errors)")
      #expect(errors.last?.contains("turning TLS off needs a restart") == true, "\(errors)")
      #expect(harness.certificateAccounts.current == ["partner-system": "partner"])
      let login = try await TLSListenerTests.whoAmI(harness, .wire, .of(certificates))
      #expect(login == "partner")
    }
  }
}
