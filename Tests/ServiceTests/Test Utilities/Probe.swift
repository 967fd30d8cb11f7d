import CivicProtos
import CivicWire
import Foundation
import GRPCCore
import Synchronization

/// How the server treated a call, as far as authentication and authorization go.
enum AuthOutcome: Sendable, Equatable, CustomStringConvertible {
  /// Past the interceptor: the handler ran (whatever it then answered).
  case admitted
  /// UNAUTHENTICATED, before the handler.
  case unauthenticated
  /// PERMISSION_DENIED by the method's policy, before the handler.
  case denied
  /// Any other answer without the handler having run: neither admitted nor refused.
  case notHandled(Status.Code)

  var description: String {
    switch self {
    case .admitted: "admitted"
    case .unauthenticated: "UNAUTHENTICATED"
    case .denied: "PERMISSION_DENIED"
    case .notHandled(let code): "\(code) without reaching the handler"
    }
  }
}

/// The probes whose call reached its handler, recorded by `HandlerCallRecorder`.
final class HandlerCalls: Sendable {
  static let metadataKey = "x-probe-id"
  private let seen = Mutex<Set<String>>([])

  func record(_ id: String) { _ = self.seen.withLock { $0.insert(id) } }
  func contains(_ id: String) -> Bool { self.seen.withLock { $0.contains(id) } }
}

/// The last interceptor, installed after the auth interceptor by `ServiceHarness`: what it
/// sees is about to run its handler, so it records the call's probe id.
struct HandlerCallRecorder: ServerInterceptor {
  let calls: HandlerCalls

  func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    if case .string(let id)? = request.metadata[HandlerCalls.metadataKey].first(where: { _ in true }) {
      self.calls.record(id)
    }
    return try await next(request, context)
  }
}

/// Calls any method of the registry with an empty request message (valid for every proto3
/// message) and reports how far it got. Works for all four call shapes: one message out,
/// then the answer's first part decides.
///
/// A call counts as admitted only if it reached its handler (`HandlerCalls`), whatever the
/// handler then answered; a refusal counts only if the handler did not run. The timeout
/// only bounds a broken server: generous, because a loaded machine (parallel suites, other
/// builds) has made a sound server miss 5 s.
func probe(
  _ entry: MethodRegistry.Entry,
  token: String?,
  client: GRPCClient<CivicWireClientTransport>,
  handlerCalls: HandlerCalls
) async -> AuthOutcome {
  var options = CallOptions.defaults
  options.timeout = .seconds(30)
  let id = UUID().uuidString
  var metadata = Metadata.bearer(token)
  metadata.addString(id, forKey: HandlerCalls.metadataKey)
  let answer: RPCError?
  do {
    answer = try await client.bidirectionalStreaming(
      request: StreamingClientRequest(metadata: metadata) { writer in try await writer.write(()) },
      descriptor: entry.descriptor,
      serializer: EmptyMessageSerializer(),
      deserializer: ByteCountDeserializer(),
      options: options
    ) { response in
      switch response.accepted {
      case .success: return nil
      case .failure(let error): return error
      }
    }
  } catch let error as RPCError {
    answer = error
  } catch {
    answer = RPCError(code: .unknown, message: "\(error)")
  }
  if handlerCalls.contains(id) { return .admitted }
  guard let answer else { return .notHandled(.ok) }
  switch answer.code {
  case .unauthenticated: return .unauthenticated
  case .permissionDenied: return .denied
  default: return .notHandled(Status.Code(answer.code))
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
