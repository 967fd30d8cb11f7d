public import NIOSSL

/// CivicWire inside TLS (docs/PROTOCOL.md, section 1.1): the ALPN name and the TLS settings
/// both ends share.
public enum CivicWireTLS {
  /// The ALPN protocol name of CivicWire version 1.
  public static let alpn = "civicwire/1"

  /// A client configuration: TLS 1.2 at least (1.3 when the server has it), the server's
  /// certificate verified against `caFile` (else the system roots) including its host name,
  /// and the client certificate and key for mutual TLS when given. Files are PEM.
  ///
  /// - Throws: `NIOSSLError` or `BoringSSLError` when a file cannot be read or parsed.
  public static func clientConfiguration(
    caFile: String?,
    certificateFile: String?,
    keyFile: String?,
    alpn: [String] = [Self.alpn]
  ) throws -> TLSConfiguration {
    var configuration = TLSConfiguration.makeClientConfiguration()
    configuration.minimumTLSVersion = .tlsv12
    configuration.certificateVerification = .fullVerification
    configuration.applicationProtocols = alpn
    if let caFile {
      configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
    }
    if let certificateFile {
      configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
    }
    if let keyFile {
      configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
    }
    return configuration
  }
}
