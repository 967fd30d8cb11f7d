public import NIOCertificateReloading
public import NIOSSL
import Synchronization

/// The certificate chain and key both listeners present, read at every handshake: a reload
/// replaces them for new connections while open ones keep theirs (docs/OPERATIONS.md).
public final class ServerCertificate: CertificateReloader {
  private let current: Mutex<NIOSSLContextConfigurationOverride>

  init(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
    self.current = Mutex(Self.override(chain: chain, key: key))
  }

  public var sslContextConfigurationOverride: NIOSSLContextConfigurationOverride {
    self.current.withLock { $0 }
  }

  func replace(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
    let override = Self.override(chain: chain, key: key)
    self.current.withLock { $0 = override }
  }

  private static func override(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) -> NIOSSLContextConfigurationOverride {
    var override = NIOSSLContextConfigurationOverride()
    override.certificateChain = chain.map { .certificate($0) }
    override.privateKey = .privateKey(key)
    return override
  }
}
