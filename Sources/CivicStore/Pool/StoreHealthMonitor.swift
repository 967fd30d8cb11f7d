public import ServiceLifecycle

/// Probes PostgreSQL through the pool every `interval` and reports each change of
/// reachability (the server maps it to the health service's SERVING / NOT_SERVING).
public struct StoreHealthMonitor: Service {
  private let pool: StorePool
  private let interval: Duration
  private let onChange: @Sendable (_ reachable: Bool) -> Void

  /// - Parameter onChange: Called with the first probe's result and then on every change.
  public init(pool: StorePool, interval: Duration = .seconds(2), onChange: @escaping @Sendable (_ reachable: Bool) -> Void) {
    self.pool = pool
    self.interval = interval
    self.onChange = onChange
  }

  public func run() async throws {
    var last: Bool? = nil
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      let reachable = (try? await self.pool.query("SELECT 1")) != nil
      if reachable != last {
        self.onChange(reachable)
        last = reachable
      }
      try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
    }
  }
}
