import CivicWire
public import GRPCCore
import Metrics
import Synchronization

/// Records every call's outcome and latency, labelled by transport, method and status
/// code: `civicgrid_rpc_calls_total` and `civicgrid_rpc_duration_seconds`.
///
/// The counters and timers are made once per dimension set and kept (as hummingbird's
/// `MetricsMiddleware` does), not looked up in the metrics registry on every call; the
/// sets are bounded by the methods the server registers times the status codes.
public struct CallMetricsInterceptor: ServerInterceptor {
  private let transport: String
  private let cache = CallMetricsCache()

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
    let record: @Sendable (String) -> Void = { [transport, cache] code in
      let (calls, duration) = cache.metrics(transport: transport, method: method, code: code)
      calls.increment()
      duration.record(duration: ContinuousClock.now - start)
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

/// The call counter per (transport, method, code) and the timer per (transport, method).
final class CallMetricsCache: Sendable {
  private struct Key: Hashable {
    var transport: String
    var method: String
    var code: String
  }

  private let counters = Mutex<[Key: Counter]>([:])
  private let timers = Mutex<[Key: Metrics.Timer]>([:])

  func metrics(transport: String, method: String, code: String) -> (Counter, Metrics.Timer) {
    let key = Key(transport: transport, method: method, code: code)
    let counter = self.counters.withLock { counters in
      if let known = counters[key] { return known }
      let made = Counter(label: "civicgrid_rpc_calls_total", dimensions: [("transport", transport), ("method", method), ("code", code)])
      counters[key] = made
      return made
    }
    let timerKey = Key(transport: transport, method: method, code: "")
    let timer = self.timers.withLock { timers in
      if let known = timers[timerKey] { return known }
      let made = Metrics.Timer(label: "civicgrid_rpc_duration_seconds", dimensions: [("transport", transport), ("method", method)])
      timers[timerKey] = made
      return made
    }
    return (counter, timer)
  }
}
