import CivicWire
import Foundation
internal import GRPCNIOTransportHTTP2
internal import NIOCertificateReloading
internal import NIOSSL

/// The listeners' TLS, loaded and checked at startup from ``TLSFiles``: TLS 1.2 at least
/// and 1.3 preferred, ALPN `civicwire/1` on CivicWire and `h2` on HTTP/2, and with a client
/// CA a client certificate required on both. Both present ``certificate``, which a reload
/// replaces.
struct ServerTLS: Sendable {
  let wire: NIOSSLContext
  let http2: HTTP2ServerTransport.Posix.TransportSecurity
  let certificate: ServerCertificate
  /// The client CA file's contents at startup: trust roots are fixed in the listeners'
  /// contexts, so a reload that changes them is refused (a restart applies it).
  let clientCA: [UInt8]?

  /// Reads and parses every file, so a missing, unreadable or malformed one stops startup
  /// with a message naming the setting and the path rather than failing each handshake.
  static func load(_ files: TLSFiles) throws(ConfigurationError) -> ServerTLS {
    let material = try TLSMaterial.read(files)
    let certificate = ServerCertificate(chain: material.chain, key: material.key)
    var configuration = material.configuration
    configuration.applicationProtocols = [CivicWireTLS.alpn]
    configuration.setCertificateReloader(certificate)
    let wire: NIOSSLContext
    do {
      wire = try NIOSSLContext(configuration: configuration)
    } catch {
      throw ConfigurationError("tls_cert and tls_key cannot be used (\(error))")
    }
    let clientCA = material.clientCA
    let http2: HTTP2ServerTransport.Posix.TransportSecurity
    do {
      http2 = try .tls(certificateReloader: certificate) { tls in
        if let clientCA {
          tls.clientCertificateVerification = .noHostnameVerification
          tls.trustRoots = .certificates([.bytes(clientCA.bytes, format: .pem)])
        }
      }
    } catch {
      throw ConfigurationError("tls_cert and tls_key cannot be used on the gRPC listener (\(error))")
    }
    return ServerTLS(wire: wire, http2: http2, certificate: certificate, clientCA: clientCA?.bytes)
  }

  /// Replaces the certificate both listeners present with the one `files` name, for new
  /// connections; throws, changing nothing, when a file is bad or the client CA changed.
  func reload(_ files: TLSFiles) throws(ConfigurationError) {
    let material = try TLSMaterial.read(files)
    guard material.clientCA?.bytes == self.clientCA else {
      throw ConfigurationError("tls_client_ca changed (or was added or removed): trust roots apply only at startup; restart to change them")
    }
    self.certificate.replace(chain: material.chain, key: material.key)
  }
}

extension ServerConfiguration {
  /// Loads the TLS files now, for a clear startup error; `CivicGridServer.run` loads them again.
  public func checkTLSFiles() throws(ConfigurationError) {
    if let tls = self.tls { _ = try ServerTLS.load(tls) }
  }
}
