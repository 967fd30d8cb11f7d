public import CivicProtos
public import GRPCCore
import Metrics
import Synchronization

/// `grpc.health.v1.Health`: the standard health service over a status table that the
/// server updates (the empty service name is the whole server).
public final class HealthService: Grpc_Health_V1_Health.ServiceProtocol, Sendable {
  public typealias ServingStatus = Grpc_Health_V1_HealthCheckResponse.ServingStatus

  private struct State {
    var statuses: [String: ServingStatus] = [:]
    var watchers: [Int: (service: String, continuation: AsyncStream<ServingStatus>.Continuation)] = [:]
    var nextWatcher = 0
  }

  private let state = Mutex(State())
  /// `civicgrid_health_serving{service}`: 1 while SERVING, made once per service name.
  private let gauges = Mutex<[String: Gauge]>([:])

  public init() {}

  /// Open `Watch` calls; a cancelled call leaves this count when its handler ends.
  public var watcherCount: Int { self.state.withLock { $0.watchers.count } }

  /// Sets a service's status and tells its watchers.
  public func setStatus(_ status: ServingStatus, forService service: String = "") {
    let watchers = self.state.withLock { state in
      state.statuses[service] = status
      return state.watchers.values.filter { $0.service == service }.map(\.continuation)
    }
    self.gauges.withLock { gauges in
      let gauge = gauges[service] ?? Gauge(label: "civicgrid_health_serving", dimensions: [("service", service)])
      gauges[service] = gauge
      gauge.record(status == .serving ? 1 : 0)
    }
    for watcher in watchers { watcher.yield(status) }
  }

  public func check(
    request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Grpc_Health_V1_HealthCheckResponse> {
    guard let status = self.state.withLock({ $0.statuses[request.message.service] }) else {
      throw RPCError(code: .notFound, message: "unknown service '\(request.message.service)'")
    }
    var response = Grpc_Health_V1_HealthCheckResponse()
    response.status = status
    return ServerResponse(message: response)
  }

  public func list(
    request: ServerRequest<Grpc_Health_V1_HealthListRequest>,
    context: ServerContext
  ) async throws -> ServerResponse<Grpc_Health_V1_HealthListResponse> {
    var response = Grpc_Health_V1_HealthListResponse()
    for (service, status) in self.state.withLock({ $0.statuses }) {
      var entry = Grpc_Health_V1_HealthCheckResponse()
      entry.status = status
      response.statuses[service] = entry
    }
    return ServerResponse(message: response)
  }

  public func watch(
    request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>,
    context: ServerContext
  ) async throws -> StreamingServerResponse<Grpc_Health_V1_HealthCheckResponse> {
    let service = request.message.service
    let (updates, continuation) = AsyncStream<ServingStatus>.makeStream(bufferingPolicy: .bufferingNewest(8))
    let id = self.state.withLock { state in
      let id = state.nextWatcher
      state.nextWatcher += 1
      state.watchers[id] = (service, continuation)
      continuation.yield(state.statuses[service] ?? .serviceUnknown)
      return id
    }
    return StreamingServerResponse { writer in
      defer { _ = self.state.withLock { $0.watchers.removeValue(forKey: id) } }
      try await withRPCCancellationHandler {
        for await status in updates {
          var response = Grpc_Health_V1_HealthCheckResponse()
          response.status = status
          try await writer.write(response)
        }
      } onCancelRPC: {
        continuation.finish()
      }
      return [:]
    }
  }
}
