import CivicRepositories
public import CivicStore
public import Logging
public import ServiceLifecycle

/// The database's one sequencer: numbers committed case events and seals committed audit
/// entries (seq, prev_hash, hash), in batches, after the writers' commits.
///
/// Every instance runs one; they compete for a session-level advisory lock
/// (`SequencerRepository.leaderLock`) on a dedicated connection, so exactly one leads. The
/// leader wakes on the writers' notification (LISTEN on its own session) and at least once
/// per `tick`, and numbers
/// everything committed, a batch per transaction, each batch serialised with any other by a
/// transaction lock; it then notifies the feed. When the leader's session ends (its process
/// or connection died) PostgreSQL releases the lock and another instance takes over within
/// `leaderRetry`; rows committed meanwhile wait, unnumbered, and none is lost.
/// Why the order is gap-free and never goes back: docs/STORE.md, "Event and audit order".
public struct Sequencer: Service {
  public struct Configuration: Sendable {
    /// Rows numbered per transaction, per table.
    public var batchSize: Int
    /// The longest the leader sleeps without a notification (one sent while its listener
    /// reconnects is lost; the tick covers it).
    public var tick: Duration
    /// How often an instance that does not lead tries to.
    public var leaderRetry: Duration

    public init(batchSize: Int, tick: Duration, leaderRetry: Duration) {
      self.batchSize = batchSize
      self.tick = tick
      self.leaderRetry = leaderRetry
    }

    /// 1,000 rows a batch, a tick every 100 ms, a leadership attempt every 500 ms.
    public static var defaults: Configuration { Configuration(batchSize: 1000, tick: .milliseconds(100), leaderRetry: .milliseconds(500)) }
  }

  let store: StorePool
  let configuration: Configuration
  let logger: Logger

  public init(store: StorePool, configuration: Configuration = .defaults, logger: Logger) {
    self.store = store
    self.configuration = configuration
    self.logger = logger
  }

  /// Competes for leadership, and leads when it wins, until graceful shutdown.
  public func run() async throws {
    try? await cancelWhenGracefulShutdown { try await self.compete() }
  }

  /// Competes for leadership, and leads when it wins, until the task is cancelled.
  public func compete() async throws {
    while !Task.isCancelled {
      do {
        try await self.store.withDedicatedConnection(applicationName: "civicgrid-sequencer") { session in
          guard try await SequencerRepository(session).tryLead() else { return }
          self.logger.info("sequencer: leading", metadata: ["db.backend_pid": "\(session.backendPID)"])
          try await self.lead(on: session)
        }
      } catch {
        if Task.isCancelled { return }
        self.logger.warning("sequencer: session ended", metadata: ["error": "\(error)"])
      }
      try? await Task.sleep(for: self.configuration.leaderRetry)
    }
  }

  /// Numbers what is committed on every wake-up, on the session that holds the leader lock
  /// (so a leader whose session died cannot number anything more). The same session listens
  /// for the writers' notifications: one connection per leader, none per follower.
  private func lead(on session: StoreConnection) async throws {
    try await session.listen(SequencerRepository.wakeChannel)
    while !Task.isCancelled {
      while try await self.sequenceBatch(on: session) == self.configuration.batchSize {}
      _ = try await session.notifications(waitingUpTo: self.configuration.tick)
    }
  }

  /// One numbering transaction: up to a batch of case events and a batch of audit entries.
  /// Returns the larger count (a full batch means more may be waiting).
  func sequenceBatch(on session: StoreConnection) async throws -> Int {
    let limit = self.configuration.batchSize
    return try await session.transaction { connection in
      let sequencer = SequencerRepository(connection)
      try await sequencer.lockBatch()
      let events = try await sequencer.sequenceCaseEvents(limit: limit, feedChannel: CaseRepository.notifyChannel)
      let audit = AuditRepository(connection)
      let pending = try await audit.unsealed(limit: limit)
      if !pending.isEmpty {
        guard let head = try await audit.head(lock: true) else { throw StoreError(code: .decoding, serverMessage: "audit_head has no row") }
        try await audit.seal(AuditChain.seal(pending, after: head))
      }
      return max(events, pending.count)
    }
  }
}
