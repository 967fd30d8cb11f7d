public import Logging
import NIOPosix
public import ServiceLifecycle
import Synchronization
public import Tracing

/// A pool of PostgreSQL connections, and the entry point of CivicStore.
///
/// Connections open lazily up to `poolSize`; a broken one is dropped and its slot
/// reopened on demand. When PostgreSQL cannot be reached a call fails at once with
/// `StoreError.Code.unavailable` (UNAVAILABLE over RPC) instead of queueing.
/// Blocking libpq work runs on each connection's own thread while it is leased (see
/// `ConnectionThread`), else on the pool's own `NIOThreadPool`.
///
/// Run it as a ServiceLifecycle `Service` (graceful shutdown closes it), or call `close()`.
public final class StorePool: Service, Sendable {
  public let configuration: StoreConfiguration
  let threadPool: NIOThreadPool
  private let logger: Logger
  private let state: Mutex<PoolStateMachine<LibPQConnection>>
  private let nextWaiterID = Atomic<Int>(0)
  private let metrics: PoolMetrics?
  /// Where transactions and statements report spans (`StoreSpans`); nil: no tracing at all.
  public let tracer: (any Tracer)?

  /// - Parameter metrics: Where to report occupancy and waits; the server's pool only.
  /// - Parameter tracer: Where to report transaction and statement spans, as children of the
  ///   caller's current span; nil (the default) costs one check per statement.
  public init(configuration: StoreConfiguration, logger: Logger, metrics: PoolMetrics? = nil, tracer: (any Tracer)? = nil) {
    self.configuration = configuration
    self.logger = logger
    self.metrics = metrics
    self.tracer = tracer
    self.state = Mutex(PoolStateMachine(capacity: configuration.poolSize, maxWaiters: configuration.poolQueueLimit))
    // One thread per connection, plus one for a notification listener.
    self.threadPool = NIOThreadPool(numberOfThreads: configuration.poolSize + 1)
    self.threadPool.start()
  }

  /// Runs until graceful shutdown, then closes the pool.
  public func run() async throws {
    try? await gracefulShutdown()
    await self.close()
  }

  /// Closes idle connections, fails waiters and stops the thread pool; leased connections
  /// close when they come back.
  public func close() async {
    let (idle, waiters) = self.transition { $0.close() }
    for waiter in waiters { waiter.resume(throwing: StoreError(code: .poolClosed)) }
    for connection in idle { connection.close() }
    try? await self.threadPool.shutdownGracefully()
  }

  /// Leases a connection for the duration of `body`; inside a read routed elsewhere
  /// (`StoreRouting.readPool`), from that pool.
  @discardableResult
  public func withConnection<R: Sendable>(_ body: (StoreConnection) async throws -> R) async throws -> R {
    if let routed = StoreRouting.readPool, routed !== self {
      return try await routed.withConnection(body)
    }
    let connection = try await self.lease()
    let leased = StoreConnection(connection: connection, threadPool: self.threadPool, tracer: self.tracer)
    let result: Result<R, any Error>
    do {
      // Nonisolated code in `body` runs on the connection's own thread, where statements
      // block in libpq without a hop per statement (see `ConnectionThread`).
      result = .success(try await withTaskExecutorPreference(connection.thread) { try await body(leased) })
    } catch {
      result = .failure(error)
    }
    self.giveBack(connection)
    // The task may still run on that thread; leave it, so the caller's code after the lease
    // never holds up the connection's next holder.
    if connection.thread?.isCurrent == true { await Task.yield() }
    return try result.get()
  }

  /// Runs one statement on a pooled connection.
  @discardableResult
  public func query(_ query: SQLQuery) async throws -> QueryResult {
    try await self.withConnection { try await $0.query(query) }
  }

  /// Runs one statement written with `$1…$n` on a pooled connection (package-only, see `StoreConnection`).
  @discardableResult
  package func query(_ sql: String, _ binds: [any SQLEncodable]) async throws -> QueryResult {
    try await self.withConnection { try await $0.query(sql, binds) }
  }

  /// Occupancy now (tests wait for a caller to be queued).
  var statistics: PoolStatistics {
    self.state.withLock { $0.statistics }
  }

  /// The process ids of the idle connections' backends (tests use it to terminate them).
  public var idleBackendPIDs: [Int32] {
    self.state.withLock { $0.idle.map(\.backendPID) }
  }

  // MARK: - Leasing

  private func lease() async throws -> LibPQConnection {
    let grant: PoolStateMachine<LibPQConnection>.Grant
    switch self.transition({ $0.acquire() }) {
    case .fail:
      throw StoreError(code: .poolClosed)
    case .grant(let granted):
      grant = granted
    case .wait:
      let start = ContinuousClock.now
      grant = try await self.waitForGrant()
      self.metrics?.recordWait(ContinuousClock.now - start)
    }
    switch grant {
    case .connection(let connection):
      if connection.checkAlive() {
        connection.resetCancellation()
        return connection
      }
      self.logger.debug("store.pool dropping a broken idle connection", metadata: ["db.backend_pid": "\(connection.backendPID)"])
      connection.close()
      // The slot stays ours: open a replacement in it.
      return try await self.connect()
    case .connect:
      return try await self.connect()
    }
  }

  private func waitForGrant() async throws -> PoolStateMachine<LibPQConnection>.Grant {
    let id = self.nextWaiterID.wrappingAdd(1, ordering: .relaxed).newValue
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        switch self.transition({ $0.enqueue(id: id, continuation) }) {
        case .closed:
          continuation.resume(throwing: StoreError(code: .poolClosed))
        case .full:
          self.metrics?.recordQueueFull()
          continuation.resume(throwing: StoreError(code: .poolExhausted))
        case .queued:
          if Task.isCancelled, let waiter = self.transition({ $0.cancelWaiter(id: id) }) {
            waiter.resume(throwing: StoreError(code: .cancelled))
          }
        }
      }
    } onCancel: {
      if let waiter = self.transition({ $0.cancelWaiter(id: id) }) {
        waiter.resume(throwing: StoreError(code: .cancelled))
      }
    }
  }

  /// Opens a connection in a reserved slot; on failure frees the slot and throws UNAVAILABLE.
  private func connect() async throws -> LibPQConnection {
    let configuration = self.configuration
    do {
      return try await self.threadPool.runIfActive { () throws -> LibPQConnection in
        try LibPQConnection(configuration: configuration, ownThread: true)
      }
    } catch {
      self.perform(self.transition { $0.discard() })
      if let error = error as? StoreError {
        self.logger.warning("store.pool cannot connect", metadata: ["error": "\(error)"])
        throw error
      }
      throw StoreError(code: .poolClosed, serverMessage: "\(error)")
    }
  }

  private func giveBack(_ connection: LibPQConnection) {
    if connection.isReusable {
      self.perform(self.transition { $0.release(connection) })
    } else {
      connection.close()
      self.perform(self.transition { $0.discard() })
    }
  }

  /// A transition of the state machine, reporting the occupancy it leaves (under the lock, so
  /// gauges never go back to an older value).
  private func transition<R>(_ body: (inout PoolStateMachine<LibPQConnection>) -> R) -> R {
    self.state.withLock { state in
      let result = body(&state)
      self.metrics?.record(state.statistics)
      return result
    }
  }

  private func perform(_ action: PoolStateMachine<LibPQConnection>.ReleaseAction) {
    switch action {
    case .none: break
    case .resume(let waiter, let grant): waiter.resume(returning: grant)
    case .close(let connection): connection.close()
    }
  }
}
