import ArgumentParser
import CivicWire
import GRPCNIOTransportHTTP2
import NIOSSL

/// The transports' TLS settings for civicctl's TLS options.
enum ClientTLS {
  static func wire(_ options: ClientTLSSettings) throws -> CivicWireClientTransport.TLS {
    let configuration: TLSConfiguration
    do {
      configuration = try CivicWireTLS.clientConfiguration(caFile: options.caFile, certificateFile: options.cert, keyFile: options.key)
    } catch {
      throw ValidationError("cannot use the TLS files (--ca-file, --cert, --key): \(error)")
    }
    return CivicWireClientTransport.TLS(context: try NIOSSLContext(configuration: configuration), serverHostname: options.serverName)
  }

  static func http2(_ options: ClientTLSSettings) -> HTTP2ClientTransport.Posix.TransportSecurity {
    .tls { tls in
      if let caFile = options.caFile { tls.trustRoots = .certificates([.file(path: caFile, format: .pem)]) }
      if let cert = options.cert, let key = options.key {
        tls.certificateChain = [.file(path: cert, format: .pem)]
        tls.privateKey = .file(path: key, format: .pem)
      }
    }
  }
}
