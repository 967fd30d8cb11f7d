import Foundation
internal import NIOSSL

/// The parsed contents of ``TLSFiles``: read at startup and again on every reload, so a
/// missing, unreadable or malformed file is reported naming the setting and the path.
struct TLSMaterial {
  let chain: [NIOSSLCertificate]
  let key: NIOSSLPrivateKey
  let clientCA: (bytes: [UInt8], certificates: [NIOSSLCertificate])?

  static func read(_ files: TLSFiles) throws(ConfigurationError) -> TLSMaterial {
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
    let material = TLSMaterial(chain: chain, key: key, clientCA: clientCA)
    // A context made from them checks that the key belongs to the certificate.
    do {
      _ = try NIOSSLContext(configuration: material.configuration)
    } catch {
      throw ConfigurationError("tls_key \(keyPath) does not fit tls_cert \(certificatePath), or they cannot be used (\(error))")
    }
    return material
  }

  /// A server configuration of this material: TLS 1.2 at least, and with a client CA a
  /// client certificate of that CA required.
  var configuration: TLSConfiguration {
    var configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: self.chain.map { .certificate($0) },
      privateKey: .privateKey(self.key)
    )
    configuration.minimumTLSVersion = .tlsv12
    if let clientCA = self.clientCA {
      configuration.certificateVerification = .noHostnameVerification
      configuration.trustRoots = .certificates(clientCA.certificates)
    }
    return configuration
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
