public import CivicProtos
public import GRPCCore
import Foundation

/// `civicgrid.v1.Diagnostics`: every call shape, shaped after gRPC's interop
/// TestService, for conformance tests, benchmarks and load tools.
///
/// Metadata echo: "x-civic-initial" comes back as leading metadata and
/// "x-civic-trailing-bin" as trailing metadata.
public struct DiagnosticsService: Civicgrid_V1_Diagnostics.ServiceProtocol {
  static let initialKey = "x-civic-initial"
  static let trailingKey = "x-civic-trailing-bin"
  /// Bound on requested response sizes and sleeps, so a request cannot exhaust the server.
  static let maxResponseSize = 4 * 1024 * 1024 - 64
  static let maxSleepMicros: Int32 = 60_000_000

  public init() {}

  public func emptyCall(
    request: ServerRequest<Civicgrid_V1_Empty>,
    context: ServerContext
  ) async throws -> ServerResponse<Civicgrid_V1_Empty> {
    ServerResponse(message: Civicgrid_V1_Empty())
  }

  public func unaryCall(
    request: ServerRequest<Civicgrid_V1_SimpleRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Civicgrid_V1_SimpleResponse> {
    let message = request.message
    try await Self.sleep(micros: message.sleepMicros, context: context)
    if message.hasResponseStatus, message.responseStatus.code != 0 {
      throw try Self.requestedError(message.responseStatus, echoing: request.metadata)
    }
    var response = Civicgrid_V1_SimpleResponse()
    response.payload = try Self.payload(size: message.responseSize, field: "response_size")
    response.peer = context.remotePeer
    return ServerResponse(
      message: response,
      metadata: Self.leading(request.metadata),
      trailingMetadata: Self.trailing(request.metadata)
    )
  }

  public func streamingOutputCall(
    request: ServerRequest<Civicgrid_V1_StreamingOutputCallRequest>,
    context: ServerContext
  ) async throws -> StreamingServerResponse<Civicgrid_V1_StreamingOutputCallResponse> {
    let message = request.message
    let parameters = message.responseParameters
    for parameter in parameters { _ = try Self.payload(size: parameter.size, field: "response_parameters.size") }
    return StreamingServerResponse(metadata: Self.leading(request.metadata)) { writer in
      for parameter in parameters {
        try await Self.sleep(micros: parameter.intervalUs, context: context)
        var response = Civicgrid_V1_StreamingOutputCallResponse()
        response.payload = try Self.payload(size: parameter.size, field: "response_parameters.size")
        try await writer.write(response)
      }
      if message.hasResponseStatus, message.responseStatus.code != 0 {
        throw try Self.requestedError(message.responseStatus, echoing: request.metadata)
      }
      return Self.trailing(request.metadata)
    }
  }

  public func streamingInputCall(
    request: StreamingServerRequest<Civicgrid_V1_StreamingInputCallRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Civicgrid_V1_StreamingInputCallResponse> {
    var total = 0
    for try await message in request.messages {
      total += message.payload.body.count
    }
    var response = Civicgrid_V1_StreamingInputCallResponse()
    response.aggregatedPayloadSize = Int32(clamping: total)
    return ServerResponse(message: response, metadata: Self.leading(request.metadata), trailingMetadata: Self.trailing(request.metadata))
  }

  public func fullDuplexCall(
    request: StreamingServerRequest<Civicgrid_V1_StreamingOutputCallRequest>,
    context: ServerContext
  ) async throws -> StreamingServerResponse<Civicgrid_V1_StreamingOutputCallResponse> {
    StreamingServerResponse(metadata: Self.leading(request.metadata)) { writer in
      for try await message in request.messages {
        if message.hasResponseStatus, message.responseStatus.code != 0 {
          throw try Self.requestedError(message.responseStatus, echoing: request.metadata)
        }
        for parameter in message.responseParameters {
          try await Self.sleep(micros: parameter.intervalUs, context: context)
          var response = Civicgrid_V1_StreamingOutputCallResponse()
          response.payload = try Self.payload(size: parameter.size, field: "response_parameters.size")
          try await writer.write(response)
        }
      }
      return Self.trailing(request.metadata)
    }
  }

  public func unimplementedCall(
    request: ServerRequest<Civicgrid_V1_Empty>,
    context: ServerContext
  ) async throws -> ServerResponse<Civicgrid_V1_Empty> {
    throw RPCError(code: .unimplemented, message: "civicgrid.v1.Diagnostics/UnimplementedCall is deliberately not implemented")
  }

  // MARK: Helpers

  static func payload(size: Int32, field: String) throws -> Civicgrid_V1_Payload {
    guard size >= 0, size <= Self.maxResponseSize else {
      throw RPCError(code: .invalidArgument, message: "\(field) must be between 0 and \(Self.maxResponseSize), got \(size)")
    }
    var payload = Civicgrid_V1_Payload()
    // Zeroed memory, not a byte-by-byte fill: a client asking many large payloads must not
    // tie up the threads handlers and the accept loop share (docs/RELIABILITY.md).
    payload.body = Data(count: Int(size))
    return payload
  }

  static func requestedError(_ status: Civicgrid_V1_EchoStatus, echoing metadata: Metadata) throws -> RPCError {
    guard let code = RPCError.Code(Status.Code(rawValue: Int(status.code)) ?? .unknown) else {
      throw RPCError(code: .invalidArgument, message: "response_status.code \(status.code) is not a gRPC status code")
    }
    return RPCError(code: code, message: status.message, metadata: Self.trailing(metadata))
  }

  /// Sleeps, ending early with CANCELLED when the RPC is cancelled (client CANCEL,
  /// deadline, shutdown): gRPC signals that through the context, not the task.
  static func sleep(micros: Int32, context: ServerContext) async throws {
    guard micros > 0 else { return }
    guard micros <= Self.maxSleepMicros else {
      throw RPCError(code: .invalidArgument, message: "sleep must be at most \(Self.maxSleepMicros) µs, got \(micros)")
    }
    let cancelled: Bool = await withTaskGroup(of: Bool.self) { group in
      group.addTask {
        (try? await Task.sleep(for: .microseconds(Int(micros)))) == nil
      }
      group.addTask {
        (try? await context.cancellation.cancelled) != nil
      }
      let first = await group.next() ?? true
      group.cancelAll()
      return first
    }
    if cancelled || context.cancellation.isCancelled {
      throw RPCError(code: .cancelled, message: "the call was cancelled while the server slept")
    }
  }

  static func leading(_ metadata: Metadata) -> Metadata {
    var echoed = Metadata()
    for value in metadata[stringValues: Self.initialKey] { echoed.addString(value, forKey: Self.initialKey) }
    return echoed
  }

  static func trailing(_ metadata: Metadata) -> Metadata {
    var echoed = Metadata()
    for value in metadata[binaryValues: Self.trailingKey] { echoed.addBinary(value, forKey: Self.trailingKey) }
    return echoed
  }
}
