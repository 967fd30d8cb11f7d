import CivicServer
import Foundation
import Testing

/// TLS settings that cannot work stop startup with a message naming the setting and the file.
@Suite("TLS settings and files", .timeLimit(.minutes(1)))
struct TLSFilesTests {
  static func error(_ adjust: (inout ServerConfiguration, TestCertificates) -> Void) throws -> String? {
    let certificates = try TestCertificates.make()
    defer { certificates.remove() }
    var configuration = ServerConfiguration.defaults
    adjust(&configuration, certificates)
    do {
      try configuration.validated().checkTLSFiles()
      return nil
    } catch {
      return error.description
    }
  }

  @Test("the test certificates load")
  func goodFilesLoad() throws {
    #expect(try Self.error { configuration, certificates in configuration.tls = certificates.serverFiles } == nil)
  }

  @Test("a missing key file names tls_key and the path")
  func missingKey() throws {
    let message = try Self.error { configuration, certificates in
      configuration.tls = certificates.serverFiles
      configuration.tls?.privateKey = "/nonexistent/server.key"
    }
    #expect(message?.hasPrefix("tls_key: cannot read /nonexistent/server.key") == true, "\(message ?? "nil")")
  }

  @Test("a certificate file that holds a key is refused as tls_cert")
  func certificateFileWithoutCertificate() throws {
    let message = try Self.error { configuration, certificates in
      configuration.tls = certificates.serverFiles
      configuration.tls?.certificateChain = certificates.path("server.key")
    }
    #expect(message?.hasPrefix("tls_cert: ") == true, "\(message ?? "nil")")
  }

  @Test("a key that belongs to another certificate is refused")
  func mismatchedKey() throws {
    let message = try Self.error { configuration, certificates in
      configuration.tls = certificates.serverFiles
      configuration.tls?.privateKey = certificates.path("partner.key")
    }
    #expect(message?.contains("does not fit tls_cert") == true, "\(message ?? "nil")")
  }

  @Test("a client CA file that is not PEM is refused as tls_client_ca")
  func badClientCA() throws {
    let message = try Self.error { configuration, certificates in
      configuration.tls = certificates.serverFiles
      configuration.tls?.clientCA = "/etc/hostname"
    }
    #expect(message?.hasPrefix("tls_client_ca: ") == true, "\(message ?? "nil")")
  }

  @Test("tls_cert without tls_key, and client accounts without a client CA, are refused")
  func settingsThatDoNotGoTogether() throws {
    var configuration = ServerConfiguration.defaults
    try configuration.apply(key: "tls_cert", value: "/x.pem", source: "test")
    #expect(throws: ConfigurationError.self) { try configuration.validated() }
    try configuration.apply(key: "tls_key", value: "/x.key", source: "test")
    try configuration.apply(key: "tls_client_accounts", value: "partner-system=partner", source: "test")
    #expect(throws: ConfigurationError.self) { try configuration.validated() }
  }

  @Test("tls_client_accounts takes NAME=LOGIN pairs and refuses anything else")
  func clientAccountsText() throws {
    var configuration = ServerConfiguration.defaults
    try configuration.apply(key: "tls_client_accounts", value: "a.example=partner, b=clerk", source: "test")
    #expect(configuration.tls?.clientAccounts == ["a.example": "partner", "b": "clerk"])
    for bad in ["a", "=x", "a=", "a=x,a=y"] {
      #expect(throws: ConfigurationError.self, "\(bad)") { try configuration.apply(key: "tls_client_accounts", value: bad, source: "test") }
    }
  }
}
