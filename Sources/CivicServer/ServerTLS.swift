import CivicWire
import Foundation
internal import GRPCNIOTransportHTTP2
internal import NIOSSL

/// The listeners' TLS, loaded and checked once at startup from ``TLSFiles``: TLS 1.2 at least
/// and 1.3 preferred, ALPN `civicwire/1` on CivicWire and `h2` on HTTP/2, and with a client
/// CA a client certificate required on both.
struct ServerTLS: Sendable {
  let wire: NIOSSLContext
  let http2: HTTP2ServerTransport.Posix.TransportSecurity

  /// Reads and parses every file, so a missing, unreadable or malformed one stops startup
  /// with a message naming the setting and the path rather than failing each handshake.
  static func load(_ files: TLSFiles) throws(ConfigurationError) -> ServerTLS {
    try files.validate()
    let (certificatePath, keyPath) = (files.certificateChain!, files.privateKey!)
    let certificateBytes = try Self.read(certificatePath, setting: "tls_cert")
    let keyBytes = try Self.read(keyPath, setting: "tls_key")
    let chain = try Self.certificates(certificateBytes, path: certificatePath, setting: "tls_cert")
    let key: NIOSSLPrivateKey
    do {
      key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
    } catch {
      throw ConfigurationError("tls_key: \(keyPath) holds no PEM private key that can be read (\(error))")
    }
    var clientCA: (bytes: [UInt8], certificates: [NIOSSLCertificate])?
    if let caPath = files.clientCA {
      let bytes = try Self.read(caPath, setting: "tls_client_ca")
      clientCA = (bytes, try Self.certificates(bytes, path: caPath, setting: "tls_client_ca"))
    }

    var configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: chain.map { .certificate($0) },
      privateKey: .privateKey(key)
    )
    configuration.minimumTLSVersion = .tlsv12
    configuration.applicationProtocols = [CivicWireTLS.alpn]
    if let clientCA {
      configuration.certificateVerification = .noHostnameVerification
      configuration.trustRoots = .certificates(clientCA.certificates)
    }
    let wire: NIOSSLContext
    do {
      wire = try NIOSSLContext(configuration: configuration)
    } catch {
      throw ConfigurationError("tls_key \(keyPath) does not fit tls_cert \(certificatePath), or they cannot be used (\(error))")
    }
    let http2 = HTTP2ServerTransport.Posix.TransportSecurity.tls(
      certificateChain: [.bytes(certificateBytes, format: .pem)],
      privateKey: .bytes(keyBytes, format: .pem)
    ) { tls in
      if let clientCA {
        tls.clientCertificateVerification = .noHostnameVerification
        tls.trustRoots = .certificates([.bytes(clientCA.bytes, format: .pem)])
      }
    }
    return ServerTLS(wire: wire, http2: http2)
  }

  private static func read(_ path: String, setting: String) throws(ConfigurationError) -> [UInt8] {
    do {
      return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw ConfigurationError("\(setting): cannot read \(path): \(error.localizedDescription)")
    }
  }

  private static func certificates(_ bytes: [UInt8], path: String, setting: String) throws(ConfigurationError) -> [NIOSSLCertificate] {
    let certificates: [NIOSSLCertificate]
    do {
      certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
    } catch {
      throw ConfigurationError("\(setting): \(path) is not PEM certificates (\(error))")
    }
    guard !certificates.isEmpty else { throw ConfigurationError("\(setting): \(path) holds no PEM certificate") }
    return certificates
  }
}

extension ServerConfiguration {
  /// Loads the TLS files now, for a clear startup error; `CivicGridServer.run` loads them again.
  public func checkTLSFiles() throws(ConfigurationError) {
    if let tls = self.tls { _ = try ServerTLS.load(tls) }
  }
}
