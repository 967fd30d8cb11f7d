public import GRPCCore
public import SwiftProtobuf

/// The rules that hold for every method, in one place so a new RPC cannot miss them:
///
/// - each request message obeys `RequestStrings` as the handler reads it, so a bad one is
///   refused with INVALID_ARGUMENT naming the field before any handler code, conversion or
///   statement sees it;
/// - no error message sent back is longer than `maxErrorMessageBytes`, however much of the
///   request a handler quoted in it (a 64 KiB code in "unit '…' not found").
public struct BoundaryInterceptor: ServerInterceptor {
  public static let maxErrorMessageBytes = 512

  public init() {}

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var request = request
    let messages = request.messages
    request.messages = RPCAsyncSequence(
      wrapping: messages.map { message in
        if let protobuf = message as? any Message, let refusal = Self.refusal(of: protobuf) {
          throw refusal
        }
        return message
      }
    )
    var response: StreamingServerResponse<Output>
    do {
      response = try await next(request, context)
    } catch {
      throw Self.bounded(error)
    }
    switch response.accepted {
    case .success(var contents):
      let producer = contents.producer
      contents.producer = { writer in
        do { return try await producer(writer) } catch { throw Self.bounded(error) }
      }
      response.accepted = .success(contents)
    case .failure(let error):
      response.accepted = .failure(Self.bounded(error))
    }
    return response
  }

  /// The refusal `request` gets before any handler sees it (INVALID_ARGUMENT naming the
  /// field, as the client receives it), or nil when it obeys `RequestStrings`. Pure, so the
  /// `requests` fuzz target checks requests exactly as a call does.
  public static func refusal(of request: some Message) -> RPCError? {
    guard let violation = RequestStrings.violation(in: request) else { return nil }
    return Self.bounded(RPCError(code: .invalidArgument, message: "\(violation.field): \(violation.problem)"))
  }

  /// `error` as the RPCError the client will see, its message cut to `maxErrorMessageBytes`.
  static func bounded(_ error: any Error) -> any Error {
    let rpcError: RPCError
    switch error {
    case let error as RPCError: rpcError = error
    case let error as any RPCErrorConvertible: rpcError = RPCError(error)
    default: return error
    }
    return Self.bounded(rpcError)
  }

  static func bounded(_ error: RPCError) -> RPCError {
    guard error.message.utf8.count > Self.maxErrorMessageBytes else { return error }
    var message = ""
    for character in error.message {
      guard message.utf8.count + character.utf8.count <= Self.maxErrorMessageBytes - 3 else { break }
      message.append(character)
    }
    var cut = error
    cut.message = message + "…"
    return cut
  }
}
