import CivicServices
import CivicWire
public import GRPCCore
public import Logging

/// Gives every call a logger whose metadata names the call (`rpc.request_id`, `rpc.method`,
/// `rpc.account` once the caller is known, `rpc.transport`), binds it as `CallLog.logger`
/// for the handler and its response stream, and logs the call's start and end at debug
/// (its status code and duration; a server-side failure at warning).
///
/// It runs after `AuthInterceptor`, whose `RequestContext` gives the request id and the
/// account; without one (no database, no auth) it reads `x-request-id` itself. It logs no
/// metadata values and no error messages, which may echo a request's fields: codes only.
public struct CallLoggingInterceptor: ServerInterceptor {
  private let logger: Logger
  private let transport: String

  public init(logger: Logger, transport: String) {
    self.logger = logger
    self.transport = transport
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let call = RequestContext.current
    var names: Logger.Metadata = [
      "rpc.request_id": .string(call?.requestID ?? RequestID.from(request.metadata)),
      "rpc.method": .string(context.descriptor.fullyQualifiedMethod),
      "rpc.transport": .string(self.transport),
    ]
    if let account = call?.principal?.login { names["rpc.account"] = .string(account) }
    var named = self.logger
    named.handler = CallLogHandler(wrapping: named.handler, metadata: names)
    let logger = named
    logger.debug("rpc started")

    let start = ContinuousClock.now
    let finished: @Sendable ((any Error)?) -> (any Error)? = { [logger] error in
      // A client's cancel is logged as CANCELLED, not as an UNKNOWN warning (DeadlineInterceptor,
      // outside this one, turns it so for the client and the metrics).
      let code = error.map { CallMetricsInterceptor.codeName(CallCancellation.status(for: $0, cancelled: context.cancellation.isCancelled)) } ?? "OK"
      // The line's metadata is built only when the line is written (an autoclosure).
      let level: Logger.Level
      switch code {
      case "UNKNOWN", "INTERNAL", "DATA_LOSS": level = .warning
      default: level = .debug
      }
      logger.log(level: level, "rpc finished", metadata: ["rpc.code": .string(code), "rpc.duration_ms": "\((ContinuousClock.now - start).milliseconds)"])
      return error
    }
    var response = try await CallLog.$logger.withValue(logger) {
      try await self.settling(request: request, context: context, next: next, settle: finished)
    }
    if case .success(var contents) = response.accepted {
      let producer = contents.producer
      contents.producer = { writer in try await CallLog.$logger.withValue(logger) { try await producer(writer) } }
      response.accepted = .success(contents)
    }
    return response
  }
}

extension Duration {
  /// Whole milliseconds, for log lines.
  fileprivate var milliseconds: Int64 {
    let (seconds, attoseconds) = self.components
    return seconds * 1000 + attoseconds / 1_000_000_000_000_000
  }
}
