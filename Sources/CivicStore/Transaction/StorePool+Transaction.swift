import Foundation

extension StorePool {
  /// Runs `body` in one transaction and commits it; rolls back when `body` throws.
  ///
  /// A serialization failure or deadlock (SQLSTATE 40001, 40P01), whether raised by a
  /// statement or by COMMIT, reruns the whole transaction, up to
  /// `configuration.transactionAttempts` times in all with a short jittered pause; `body`
  /// must therefore have no effects outside the database. The last failure is rethrown
  /// (ABORTED over RPC).
  ///
  /// - Parameter deadline: When given, the time left becomes the transaction's
  ///   `statement_timeout` (`SET LOCAL`), so a statement still running at the deadline fails
  ///   with `StoreError.Code.deadlineExceeded`.
  @discardableResult
  public func transaction<R: Sendable>(
    isolation: IsolationLevel = .readCommitted,
    deadline: ContinuousClock.Instant? = nil,
    _ body: (StoreConnection) async throws -> R
  ) async throws -> R {
    guard let tracer = self.tracer else {
      return try await self.attempts(isolation: isolation, deadline: deadline, attempted: { _ in }, body)
    }
    // One span for the whole transaction, its retries included (their count is an attribute).
    return try await StoreSpans.transaction(tracer, isolation: isolation) { attempted in
      try await self.attempts(isolation: isolation, deadline: deadline, attempted: attempted, body)
    }
  }

  private func attempts<R: Sendable>(
    isolation: IsolationLevel,
    deadline: ContinuousClock.Instant?,
    attempted: @Sendable (Int) -> Void,
    _ body: (StoreConnection) async throws -> R
  ) async throws -> R {
    let attempts = self.configuration.transactionAttempts
    for attempt in 1... {
      attempted(attempt)
      do {
        return try await self.withConnection { connection in
          try await Self.runOnce(on: connection, isolation: isolation, deadline: deadline, body)
        }
      } catch let error as StoreError where error.isRetryable && attempt < attempts {
        // Back off a little, growing with each attempt, so the conflicting transaction can finish.
        let pause = Double.random(in: 1...5) * Double(attempt)
        try await Task.sleep(for: .milliseconds(pause))
      }
    }
    fatalError("unreachable: the loop returns or throws")
  }

  static func runOnce<R>(
    on connection: StoreConnection,
    isolation: IsolationLevel,
    deadline: ContinuousClock.Instant?,
    _ body: (StoreConnection) async throws -> R
  ) async throws -> R {
    // BEGIN and the statement timeout go out with the body's first statement, in one
    // round trip; a body that runs no statement never begins a transaction at all.
    let session = connection.connection
    session.sendWithNext("BEGIN ISOLATION LEVEL \(isolation.rawValue)")
    do {
      if let deadline {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { throw StoreError(code: .deadlineExceeded) }
        let milliseconds = max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
        session.sendWithNext("SELECT set_config('statement_timeout', $1, true)", [String(milliseconds)])
      }
      let result = try await body(connection)
      // Queued writes go out with the COMMIT. A body that sent nothing and queued nothing
      // began nothing: only its unsent BEGIN waits, and it is dropped.
      if session.hasQueuedWrites || !session.hasDeferred {
        try await connection.command("COMMIT")
      } else {
        session.discardDeferred()
      }
      return result
    } catch {
      // Nothing queued was sent; what was sent is rolled back. When the connection broke or
      // the task was cancelled this fails too, and the pool drops the connection (still
      // inside a transaction) when it comes back.
      session.discardDeferred()
      if session.isInTransaction {
        try? await connection.command("ROLLBACK")
      }
      throw error
    }
  }
}

extension StoreConnection {
  /// Runs `body` in one transaction on this connection (a dedicated one: pooled work uses
  /// `StorePool.transaction`), committing it, or rolling it back when `body` throws. Not
  /// retried: the caller owns the connection and decides.
  @discardableResult
  public func transaction<R: Sendable>(
    isolation: IsolationLevel = .readCommitted,
    _ body: (StoreConnection) async throws -> R
  ) async throws -> R {
    try await StorePool.runOnce(on: self, isolation: isolation, deadline: nil, body)
  }
}
