import NIOPosix
import Tracing

/// A leased PostgreSQL connection, valid inside the `withConnection` or `transaction`
/// closure that handed it out.
///
/// Each call runs the blocking libpq work on the connection's own thread when the caller
/// already runs there (the lease makes it the task's executor preference), else on the
/// store's `NIOThreadPool`; never on an event loop or the cooperative pool. Cancelling the
/// calling task sends a cancel request for the statement (PQcancel); the call then fails
/// with `StoreError.Code.cancelled`. (A cancelled RPC reaches here as a cancelled task:
/// the RPC layer bridges the one to the other, see `RPCCancellationInterceptor`.)
public struct StoreConnection: Sendable {
  let connection: LibPQConnection
  let threadPool: NIOThreadPool
  /// The pool's tracer: each statement is a span (`StoreSpans`).
  var tracer: (any Tracer)? = nil

  /// The server process id serving this connection (`pg_backend_pid()`).
  public var backendPID: Int32 { self.connection.backendPID }

  /// Round trips this connection has made to the server (tests: what a piece of work costs).
  package var roundTrips: Int { self.connection.roundTrips }

  /// Runs one statement, its interpolated values bound out-of-band as `$n`, and returns its rows.
  ///
  /// The statement is prepared once per connection and reused (pass `prepare: false` for
  /// one-off statements to skip the cache).
  @discardableResult
  public func query(_ query: SQLQuery, prepare: Bool = true) async throws(StoreError) -> QueryResult {
    let connection = self.connection
    let sql = query.sql
    let binds = query.binds
    guard let tracer = self.tracer else {
      return try await self.run { () throws(StoreError) in try connection.execute(sql, binds, prepare: prepare) }
    }
    return try await StoreSpans.statement(tracer, summary: self.spanSummary(query.name ?? StatementSummary.of(sql)), rows: \.affectedRows) {
      () throws(StoreError) in
      try await self.run { () throws(StoreError) in try connection.execute(sql, binds, prepare: prepare) }
    }
  }

  /// Runs two statements that do not depend on each other in one round trip (libpq pipeline
  /// mode), both prepared and cached, and returns their results; the first failure is thrown.
  /// For a read made of two queries, such as a record and its history.
  public func query(_ first: SQLQuery, _ second: SQLQuery) async throws(StoreError) -> (QueryResult, QueryResult) {
    let connection = self.connection
    let statements = [(first.sql, first.binds), (second.sql, second.binds)]
    let run: @Sendable () throws(StoreError) -> [QueryResult] = { try connection.executeAll(statements) }
    let results: [QueryResult]
    if let tracer = self.tracer {
      let summary = self.spanSummary((first.name ?? StatementSummary.of(first.sql)) + " + " + (second.name ?? StatementSummary.of(second.sql)))
      results = try await StoreSpans.statement(tracer, summary: summary, rows: { $0.map(\.affectedRows).reduce(0, +) }) { () throws(StoreError) in
        try await self.run(run)
      }
    } else {
      results = try await self.run(run)
    }
    return (results[0], results[1])
  }

  /// Runs `statement`, a `COPY table (columns) FROM STDIN` with no values of its own, with
  /// `rows` as its input, and returns how many rows it wrote: the fast road for many rows into
  /// one table (`CopyRows`). All or none of them are written.
  @discardableResult
  public func copy(_ statement: SQLQuery, _ rows: CopyRows) async throws(StoreError) -> Int {
    guard statement.binds.isEmpty else {
      throw StoreError(code: .server, serverMessage: "a COPY statement takes no parameters", query: statement.sql)
    }
    // Refused before it is sent: another statement would run before it could be told apart.
    let words = statement.sql.uppercased().split(whereSeparator: \.isWhitespace)
    guard words.first == "COPY", zip(words, words.dropFirst()).contains(where: { $0 == "FROM" && $1 == "STDIN" }) else {
      throw StoreError(code: .server, serverMessage: "not a COPY FROM STDIN statement", query: statement.sql)
    }
    let connection = self.connection
    let sql = statement.sql
    let data = rows.bytes
    guard let tracer = self.tracer else {
      return try await self.run { () throws(StoreError) in try connection.copyIn(sql, data) }
    }
    return try await StoreSpans.statement(tracer, summary: self.spanSummary(statement.name ?? StatementSummary.of(sql)), rows: { $0 }) { () throws(StoreError) in
      try await self.run { () throws(StoreError) in try connection.copyIn(sql, data) }
    }
  }

  /// Queues a write whose result the caller does not need (an audit row, a timeline's events)
  /// to go out with the transaction's next statement, or with its COMMIT, in the same round
  /// trip. Statements still reach the server in the order they were given. A failure of the
  /// write fails that next statement or the commit, naming the write's SQL, and so the whole
  /// transaction; a transaction whose body throws never sends it. Outside a transaction it
  /// runs at once. A traced write is named in the span of the statement it goes out with.
  public func queue(_ query: SQLQuery) async throws(StoreError) {
    let connection = self.connection
    guard connection.isInTransaction || connection.hasDeferred else {
      try await self.execute(query)
      return
    }
    connection.queueWrite(query.sql, query.binds, summary: self.tracer.map { _ in query.name ?? StatementSummary.of(query.sql) })
  }

  /// A statement span's summary: the queued writes that go out with the statement come first.
  private func spanSummary(_ own: String) -> String {
    let queued = self.connection.queuedSummaries
    return queued.isEmpty ? own : (queued + [own]).joined(separator: " + ")
  }

  /// Runs one statement and returns the affected-row count.
  @discardableResult
  public func execute(_ query: SQLQuery) async throws(StoreError) -> Int {
    try await self.query(query).affectedRows
  }

  /// Runs one statement written with `$1…$n` and a separate list of values.
  ///
  /// Package-only: the migrator and older tests use it; everything else binds values by
  /// interpolating them into an `SQLQuery`. The list has no default, so a call with one string
  /// literal always takes the `SQLQuery` road and never pastes a value into the text.
  @discardableResult
  package func query(_ sql: String, _ binds: [any SQLEncodable], prepare: Bool = true) async throws(StoreError) -> QueryResult {
    try await self.query(SQLQuery(unsafeSQL: sql, binds: binds), prepare: prepare)
  }

  /// Runs one statement written with `$1…$n` and returns the affected-row count.
  @discardableResult
  package func execute(_ sql: String, _ binds: [any SQLEncodable]) async throws(StoreError) -> Int {
    try await self.query(SQLQuery(unsafeSQL: sql, binds: binds)).affectedRows
  }

  /// Runs a statement without parameters or statement caching (transaction control, SET).
  func command(_ sql: String) async throws(StoreError) {
    _ = try await self.query(SQLQuery(unsafeSQL: sql), prepare: false)
  }

  /// Runs a trusted multi-statement script (migration files; never values).
  func script(_ sql: String) async throws(StoreError) {
    let connection = self.connection
    try await self.run { () throws(StoreError) in try connection.executeScript(sql) }
  }

  func run<T: Sendable>(_ body: @escaping @Sendable () throws(StoreError) -> T) async throws(StoreError) -> T {
    if Task.isCancelled { throw StoreError(code: .cancelled) }
    let connection = self.connection
    do {
      return try await withTaskCancellationHandler {
        // On the connection's own thread (the lease's executor) block right here; off it
        // (the caller set an executor preference of its own) hop to the thread pool.
        if connection.thread?.isCurrent == true { return try body() }
        return try await self.threadPool.runIfActive { () throws -> T in try body() }
      } onCancel: {
        connection.cancel()
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(code: .poolClosed, serverMessage: "\(error)")
    }
  }
}
