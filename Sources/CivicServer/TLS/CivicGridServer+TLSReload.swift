import Synchronization

extension CivicGridServer {
  /// Replaces the certificate and key both listeners present with those `files` name, for
  /// new connections; open connections keep theirs. Throws, changing nothing, when a file is
  /// bad or the change needs a restart (TLS turned on or off, another client CA).
  public func reloadTLS(_ files: TLSFiles?) throws(ConfigurationError) {
    let inUse = self.tlsInUse.withLock { $0 }
    switch (inUse, files) {
    case (nil, nil):
      return
    case (nil, .some):
      throw ConfigurationError("TLS is off on the running listeners (or they have not started): turning it on needs a restart")
    case (.some, nil):
      throw ConfigurationError("tls_cert and tls_key are gone from the settings: turning TLS off needs a restart")
    case (.some(let tls), .some(let files)):
      try tls.reload(files)
    }
  }
}
