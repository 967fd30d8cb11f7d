import ArgumentParser

/// How civicctl speaks TLS to the server, on either transport; any of these flags turns TLS on.
struct TLSOptions: ParsableArguments, Sendable {
  @Flag(name: .customLong("tls"), help: "Speak TLS (the server verified against --ca-file, else the system roots).")
  var enabled = false

  @Option(help: "PEM CA certificates that issued the server's certificate.")
  var caFile: String?

  @Option(help: "PEM client certificate for mutual TLS (with --key): the server maps it to an account.")
  var cert: String?

  @Option(help: "PEM private key of --cert.")
  var key: String?

  @Option(help: "Name the server's certificate must carry (and SNI); default the --server host when it is a name.")
  var serverName: String?

  /// What the options ask for; nil: plaintext.
  var settings: ClientTLSSettings? {
    guard self.enabled || self.caFile != nil || self.cert != nil || self.key != nil || self.serverName != nil else { return nil }
    return ClientTLSSettings(caFile: self.caFile, cert: self.cert, key: self.key, serverName: self.serverName)
  }

  func validate() throws {
    if (self.cert == nil) != (self.key == nil) {
      throw ValidationError("--cert and --key go together (a client certificate needs its key)")
    }
  }
}

/// The TLS a command connects with: trust roots, client certificate and key, server name.
struct ClientTLSSettings: Equatable, Sendable {
  var caFile: String?
  var cert: String?
  var key: String?
  var serverName: String?
}
