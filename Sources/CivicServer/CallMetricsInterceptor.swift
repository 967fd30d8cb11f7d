import CivicWire
public import GRPCCore
import Metrics

/// Records every call's outcome and latency, labelled by transport, method and status
/// code: `civicgrid_rpc_calls_total` and `civicgrid_rpc_duration_seconds`.
public struct CallMetricsInterceptor: ServerInterceptor {
  private let transport: String

  public init(transport: String) {
    self.transport = transport
  }

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    let start = ContinuousClock.now
    let method = context.descriptor.fullyQualifiedMethod
    let record: @Sendable (String) -> Void = { [transport] code in
      Counter(label: "civicgrid_rpc_calls_total", dimensions: [("transport", transport), ("method", method), ("code", code)])
        .increment()
      let elapsed = ContinuousClock.now - start
      Metrics.Timer(label: "civicgrid_rpc_duration_seconds", dimensions: [("transport", transport), ("method", method)])
        .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
    return try await self.settling(request: request, context: context, next: next) { error in
      record(error.map(Self.codeName) ?? "OK")
      return error
    }
  }

  static func codeName(_ error: any Error) -> String {
    guard let error = error as? RPCError else { return "UNKNOWN" }
    return StatusNames.name(of: Status.Code(error.code))
  }
}
