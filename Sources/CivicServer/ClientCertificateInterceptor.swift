import CivicServices
internal import CivicWire
import GRPCCore
internal import GRPCNIOTransportHTTP2
import X509

/// Hands the auth interceptor the names of a call's client certificate, whichever listener it
/// came in on: both transports put the verified peer certificate in
/// `ServerContext.transportSpecific`, each in its own type; this replaces it with
/// `ClientCertificate`, which CivicServices reads without knowing the transports.
struct ClientCertificateInterceptor: ServerInterceptor {
  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var context = context
    let certificate: Certificate? =
      switch context.transportSpecific {
      case let wire as CivicWireServerTransport.Context: wire.peerCertificate
      case let http2 as HTTP2ServerTransport.Posix.Context: http2.peerCertificate
      default: nil
      }
    context.transportSpecific = certificate.map { ClientCertificate(names: Self.names(of: $0)) }
    return try await next(request, context)
  }

  /// The subject's common name, then the DNS, URI and email subject alternative names.
  static func names(of certificate: Certificate) -> [String] {
    var names: [String] = []
    for rdn in certificate.subject {
      for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
        if let name = String(attribute.value) { names.append(name) }
      }
    }
    for name in (try? certificate.extensions.subjectAlternativeNames) ?? SubjectAlternativeNames() {
      switch name {
      case .dnsName(let text), .uniformResourceIdentifier(let text), .rfc822Name(let text): names.append(text)
      default: continue
      }
    }
    return names
  }
}
