import CivicProtos
import CivicWire
import GRPCCore

/// How the server treated a call, as far as authentication and authorization go.
enum AuthOutcome: Sendable, Equatable, CustomStringConvertible {
  /// Past the interceptor: the handler ran (whatever it then answered).
  case admitted
  /// UNAUTHENTICATED.
  case unauthenticated
  /// PERMISSION_DENIED by the method's policy.
  case denied

  var description: String {
    switch self {
    case .admitted: "admitted"
    case .unauthenticated: "UNAUTHENTICATED"
    case .denied: "PERMISSION_DENIED"
    }
  }
}

/// Calls any method of the registry with an empty request message (valid for every proto3
/// message) and reports how far it got. Works for all four call shapes: one message out,
/// then the answer's first part decides.
///
/// Every admitted call answers with its headers at once (streams too, before their first
/// message), so the timeout only bounds a broken server; a call that runs into it counts as
/// admitted, since the interceptor never refuses late.
func probe(_ entry: MethodRegistry.Entry, token: String?, client: GRPCClient<CivicWireClientTransport>) async -> AuthOutcome {
  var options = CallOptions.defaults
  options.timeout = .seconds(5)
  do {
    return try await client.bidirectionalStreaming(
      request: StreamingClientRequest(metadata: .bearer(token)) { writer in try await writer.write(()) },
      descriptor: entry.descriptor,
      serializer: EmptyMessageSerializer(),
      deserializer: ByteCountDeserializer(),
      options: options
    ) { response in
      switch response.accepted {
      case .success: return .admitted
      case .failure(let error): return classify(error)
      }
    }
  } catch let error as RPCError {
    return classify(error)
  } catch {
    return .admitted
  }
}

private func classify(_ error: RPCError) -> AuthOutcome {
  switch error.code {
  case .unauthenticated: return .unauthenticated
  // The interceptor's refusals, as opposed to a handler's own PERMISSION_DENIED.
  case .permissionDenied where error.message.contains("requires the role") || error.message.contains("no access policy"):
    return .denied
  default: return .admitted
  }
}

struct EmptyMessageSerializer: MessageSerializer {
  func serialize<Bytes: GRPCContiguousBytes>(_ message: Void) throws -> Bytes { Bytes(repeating: 0, count: 0) }
}

struct ByteCountDeserializer: MessageDeserializer {
  func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Int {
    serializedMessageBytes.withUnsafeBytes { $0.count }
  }
}
