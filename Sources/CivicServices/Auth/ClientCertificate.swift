public import GRPCCore

/// The names a call's TLS client certificate carries (subject CN, then the DNS, URI and
/// email SANs), put in `ServerContext.transportSpecific` by the server for a connection that
/// presented a certificate its client CA verified.
public struct ClientCertificate: ServerContext.TransportSpecific, Hashable {
  public var names: [String]

  public init(names: [String]) {
    self.names = names
  }
}
