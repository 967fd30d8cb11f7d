import NIOPosix

extension StorePool {
  /// Runs `body` on a connection of its own, outside the pool's slots, closed when `body`
  /// returns: for session state that must outlive one transaction (a session-level advisory
  /// lock, as the sequencer's leadership is).
  ///
  /// The connection has a thread of its own, as a pooled one does. When the connection
  /// breaks, `body`'s statements fail with `connectionLost` and the session is gone with it:
  /// its locks are released by PostgreSQL.
  public func withDedicatedConnection<R: Sendable>(
    applicationName: String? = nil,
    _ body: (StoreConnection) async throws -> R
  ) async throws -> R {
    var settings = self.configuration
    if let applicationName { settings.applicationName = applicationName }
    let configuration = settings
    let connection = try await self.threadPool.runIfActive { () throws -> LibPQConnection in
      try LibPQConnection(configuration: configuration, ownThread: true)
    }
    let session = StoreConnection(connection: connection, threadPool: self.threadPool, tracer: self.tracer)
    let result: Result<R, any Error>
    do {
      result = .success(try await withTaskExecutorPreference(connection.thread) { try await body(session) })
    } catch {
      result = .failure(error)
    }
    // Leave the connection's thread before stopping it.
    if connection.thread?.isCurrent == true { await Task.yield() }
    connection.close()
    return try result.get()
  }
}
