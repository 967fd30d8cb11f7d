import CLibPQ
import Foundation
import Synchronization

/// One libpq connection; every method blocks, so callers run them on the store's thread
/// pool. Owned by one task at a time (a pool lease); only `cancel` may be called from
/// another thread.
final class LibPQConnection: @unchecked Sendable {
  private let handle: OpaquePointer
  private let cancelHandle: OpaquePointer?
  /// SQL text → prepared statement name, per connection (statements are per session).
  private var prepared: [String: String] = [:]
  /// Statements that go out with the next one, in the same round trip: a transaction's BEGIN
  /// and statement timeout, and writes queued by `queueWrite`.
  private var deferred: [Deferred] = []
  /// Round trips to the server so far (tests count what a piece of work takes).
  private(set) var roundTrips = 0
  /// Which statement generation runs, so a late cancel never hits a later statement.
  /// `pending` keeps a cancel that arrived between statements for the next one.
  private let running = Mutex<(generation: UInt64, active: Bool, cancelRequested: Bool, pending: Bool)>((0, false, false, false))

  /// The backend's process id (for tests and logs).
  let backendPID: Int32
  /// The pooled connection's own thread (leases run on it); `nil` for a listener.
  let thread: ConnectionThread?

  /// Opens a connection; throws `.unavailable` when the server cannot be reached.
  /// - Parameter ownThread: Start a `ConnectionThread` for it (pooled connections).
  init(configuration: StoreConfiguration, ownThread: Bool = false) throws(StoreError) {
    // The URL (expanded from dbname) overrides the keywords before it, so a timeout or
    // application name in the URL wins over these defaults.
    let seconds = max(1, Int(configuration.connectTimeout.components.seconds))
    var keywords = ["connect_timeout", "application_name"]
    var values = [String(seconds), configuration.applicationName]
    if let url = configuration.connectionString {
      keywords.append("dbname")
      values.append(url)
    }
    if let database = configuration.database {
      // A later dbname is a plain name that overrides the one in the URL.
      keywords.append("dbname")
      values.append(database)
    }
    let connection: OpaquePointer? = withCStrings(keywords) { keys in
      withCStrings(values) { vals in PQconnectdbParams(keys, vals, 1) }
    }
    guard let connection else { throw StoreError(code: .unavailable, serverMessage: "libpq could not allocate a connection") }
    guard PQstatus(connection) == CONNECTION_OK else {
      let message = String(cString: PQerrorMessage(connection))
      PQfinish(connection)
      throw StoreError(code: .unavailable, serverMessage: message)
    }
    self.handle = connection
    // Server notices (e.g. "relation already exists, skipping") are not errors: drop them
    // instead of libpq's default of printing them to standard error.
    PQsetNoticeProcessor(connection, { _, _ in }, nil)
    self.cancelHandle = PQgetCancel(connection)
    self.backendPID = PQbackendPID(connection)
    self.thread = ownThread ? ConnectionThread(name: "civicpq-\(self.backendPID)") : nil
    // Fixed session formats so text decoding of timestamps is unambiguous.
    do {
      _ = try self.execute("SET DateStyle = ISO", [])
      _ = try self.execute("SET TimeZone = 'UTC'", [])
    } catch {
      self.close()
      throw error
    }
  }

  /// Closes the connection; the object must not be used afterwards.
  func close() {
    self.thread?.stop()
    if let cancelHandle { PQfreeCancel(cancelHandle) }
    PQfinish(self.handle)
  }

  /// Whether the connection is open and outside any transaction, fit to go back to the pool.
  var isReusable: Bool {
    PQstatus(self.handle) == CONNECTION_OK && PQtransactionStatus(self.handle) == PQTRANS_IDLE
      && PQpipelineStatus(self.handle) == PQ_PIPELINE_OFF && self.deferred.isEmpty
  }

  /// A statement waiting for the next one: transaction control, or a queued write with its
  /// span summary (when traced).
  private struct Deferred {
    var statement: Pipelined
    var isWrite: Bool
    var summary: String?
  }

  /// Queues a statement to be sent together with the next `execute`, in one pipeline
  /// (libpq pipeline mode) and so in one round trip; a failure of it fails that `execute`.
  func sendWithNext(_ sql: String, _ binds: [any SQLEncodable] = []) {
    self.deferred.append(Deferred(statement: Pipelined(sql: sql, values: binds.map(\.sqlText), prepare: false), isWrite: false))
  }

  /// Queues a write, prepared and cached like any statement, to go out with the next
  /// statement (or the COMMIT) in the same round trip; a failure of it fails that statement.
  func queueWrite(_ sql: String, _ binds: [any SQLEncodable], summary: String?) {
    let statement = Pipelined(sql: sql, values: binds.map(\.sqlText), prepare: true)
    self.deferred.append(Deferred(statement: statement, isWrite: true, summary: summary))
  }

  /// Whether a queued write waits to be sent (then the transaction must commit, sending it).
  var hasQueuedWrites: Bool { self.deferred.contains(where: \.isWrite) }

  /// The span summaries of the queued writes, in order: the next statement's span covers them.
  var queuedSummaries: [String] { self.deferred.compactMap(\.summary) }

  /// Whether anything waits to be sent (a transaction's BEGIN, queued writes).
  var hasDeferred: Bool { !self.deferred.isEmpty }

  /// Whether the server holds a transaction open on this session: begun, failed, or unknown
  /// because the connection broke.
  var isInTransaction: Bool { PQtransactionStatus(self.handle) != PQTRANS_IDLE }

  /// Drops the statements queued by `sendWithNext` and `queueWrite`: none of them reaches the server.
  func discardDeferred() {
    self.deferred = []
  }

  /// Reads whatever the server sent while the connection sat idle (non-blocking: libpq
  /// sockets are non-blocking underneath) and reports whether it is still usable; a
  /// terminated backend has sent its FATAL message and closed by then.
  func checkAlive() -> Bool {
    // An idle pooled connection expects nothing: anything readable is a FATAL message
    // and/or the end of the stream. Reading it takes a few rounds (message, then EOF).
    for _ in 0..<4 {
      guard PQstatus(self.handle) == CONNECTION_OK else { return false }
      var descriptor = pollfd(fd: PQsocket(self.handle), events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, 0) > 0 else { return true }
      guard PQconsumeInput(self.handle) == 1 else { return false }
    }
    return PQstatus(self.handle) == CONNECTION_OK
  }

  /// Runs one statement with out-of-band parameters; `prepare` caches a server-side
  /// prepared statement for this SQL text on this connection. Statements queued by
  /// `sendWithNext` go out before it, in the same round trip.
  func execute(_ sql: String, _ binds: [any SQLEncodable], prepare: Bool = false) throws(StoreError) -> QueryResult {
    let statement = Pipelined(sql: sql, values: binds.map(\.sqlText), prepare: prepare)
    guard self.deferred.isEmpty else { return try self.executePipeline([statement]).last! }
    try self.refuseNUL([statement])
    let generation = self.beginStatement()
    guard let generation else { throw StoreError(code: .cancelled, query: sql) }
    let result: OpaquePointer? = withOptionalCStrings(statement.values) { values in
      let count = Int32(values.count)
      if prepare {
        self.roundTrips += 1
        if let name = self.prepared[sql] {
          return PQexecPrepared(self.handle, name, count, values, nil, nil, 0)
        }
        let name = "civic_\(self.prepared.count + 1)"
        self.roundTrips += 1
        let preparation = PQprepare(self.handle, name, sql, count, nil)
        guard PQresultStatus(preparation) == PGRES_COMMAND_OK else { return preparation }
        PQclear(preparation)
        self.prepared[sql] = name
        return PQexecPrepared(self.handle, name, count, values, nil, nil, 0)
      }
      self.roundTrips += 1
      return PQexecParams(self.handle, sql, count, nil, values, nil, nil, 0)
    }
    let cancelled = self.endStatement(generation)
    defer { PQclear(result) }
    return try self.collect(result, sql: sql, cancelled: cancelled)
  }

  /// Runs `COPY … FROM STDIN` (text format) with `data` as its rows and returns how many rows
  /// it wrote. Statements queued by `sendWithNext` go out first. A failure (a bad row, a
  /// cancel) ends the COPY: the server discards every row of it.
  func copyIn(_ sql: String, _ data: [UInt8]) throws(StoreError) -> Int {
    if !self.deferred.isEmpty { _ = try self.executePipeline([]) }
    let generation = self.beginStatement()
    guard let generation else { throw StoreError(code: .cancelled, query: sql) }
    self.roundTrips += 1
    let start = PQexec(self.handle, sql)
    guard PQresultStatus(start) == PGRES_COPY_IN else {
      let cancelled = self.endStatement(generation)
      defer { PQclear(start) }
      _ = try self.collect(start, sql: sql, cancelled: cancelled)
      throw StoreError(code: .server, serverMessage: "not a COPY FROM STDIN statement", query: sql)
    }
    PQclear(start)
    // Blocking mode: each call returns once libpq has queued or sent the bytes.
    let chunk = 1 << 20
    var sent = true
    data.withUnsafeBufferPointer { buffer in
      var offset = 0
      while sent, offset < buffer.count {
        let length = min(chunk, buffer.count - offset)
        let pointer = UnsafeRawPointer(buffer.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
        sent = PQputCopyData(self.handle, pointer, Int32(length)) == 1
        offset += length
      }
    }
    sent = PQputCopyEnd(self.handle, sent ? nil : "the client could not send every row") == 1 && sent
    let result = PQgetResult(self.handle)
    while let extra = PQgetResult(self.handle) { PQclear(extra) }
    let cancelled = self.endStatement(generation)
    defer { PQclear(result) }
    return try self.collect(result, sql: sql, cancelled: cancelled).affectedRows
  }

  /// Runs statements that do not depend on each other in one pipeline with one sync, so in
  /// one round trip, each prepared and cached as `execute(prepare: true)` does, and returns
  /// their results in order; the first failure is thrown, naming its statement.
  func executeAll(_ statements: [(sql: String, binds: [any SQLEncodable])]) throws(StoreError) -> [QueryResult] {
    try self.executePipeline(statements.map { Pipelined(sql: $0.sql, values: $0.binds.map(\.sqlText), prepare: true) })
  }

  /// One statement of a pipeline: `prepare` uses (and caches) a prepared statement.
  fileprivate struct Pipelined {
    var sql: String
    var values: [String?]
    var prepare: Bool
  }

  /// Sends the statements queued by `sendWithNext`, then `statements`, in one pipeline, and
  /// returns the results of `statements`. The first failure, a queued statement's included,
  /// is thrown naming its SQL; after it the server skips the rest (PGRES_PIPELINE_ABORTED).
  private func executePipeline(_ statements: [Pipelined]) throws(StoreError) -> [QueryResult] {
    let queued = self.deferred.map(\.statement)
    self.deferred = []
    let all = queued + statements
    try self.refuseNUL(all)
    let generation = self.beginStatement()
    guard let generation else { throw StoreError(code: .cancelled, query: statements.last?.sql) }
    self.roundTrips += 1
    let results = self.pipeline(all)
    let cancelled = self.endStatement(generation)
    defer { for result in results { PQclear(result) } }
    var collected: [QueryResult] = []
    for (statement, result) in zip(all, results) {
      collected.append(try self.collect(result, sql: statement.sql, cancelled: cancelled))
    }
    if results.count < all.count {
      // The connection broke before every answer came.
      _ = try self.collect(nil, sql: all[all.count - 1].sql, cancelled: cancelled)
    }
    return Array(collected.dropFirst(queued.count))
  }

  /// libpq passes parameters as C strings: a NUL would silently cut the value, so what is
  /// stored would differ from what was written (and hashed). Refuse the statements instead.
  private func refuseNUL(_ statements: [Pipelined]) throws(StoreError) {
    for statement in statements where statement.values.contains(where: { $0?.utf8.contains(0) == true }) {
      self.deferred = []
      // Named by the statement that holds it: a queued write is refused with the statement it goes out with.
      throw StoreError.nulCharacter(query: statement.sql)
    }
  }

  /// Marks a statement as running, so `cancel` reaches it, and returns its generation; nil
  /// when a cancel came between statements (then the statement must not be sent).
  private func beginStatement() -> UInt64? {
    self.running.withLock { state -> UInt64? in
      if state.pending {
        state.pending = false
        return nil
      }
      state.generation &+= 1
      state.active = true
      state.cancelRequested = false
      return state.generation
    }
  }

  /// Marks statement `generation` as done and reports whether a cancel was asked for it.
  private func endStatement(_ generation: UInt64) -> Bool {
    self.running.withLock { state -> Bool in
      guard state.generation == generation else { return false }
      state.active = false
      return state.cancelRequested
    }
  }

  /// Sends `statements` in one pipeline with one sync, preparing those that `prepare` and
  /// are not prepared yet, and returns one result per statement, in order (a failed
  /// preparation stands for its statement); fewer when the connection broke.
  private func pipeline(_ statements: [Pipelined]) -> [OpaquePointer?] {
    let owned: [[UnsafeMutablePointer<CChar>?]] = statements.map { $0.values.map { $0.map { strdup($0) } } }
    defer { for values in owned { for pointer in values { free(pointer) } } }
    guard PQenterPipelineMode(self.handle) == 1 else { return [] }
    defer { PQexitPipelineMode(self.handle) }
    // Each query sent, in order: a preparation or a statement (its index).
    enum Sent { case preparation(sql: String, name: String), statement(Int) }
    var sent: [Sent] = []
    var naming: [String: String] = [:]
    var ok = true
    for (index, statement) in statements.enumerated() where ok {
      let values = owned[index].map { UnsafePointer($0) }
      let count = Int32(values.count)
      if statement.prepare {
        var name = self.prepared[statement.sql] ?? naming[statement.sql]
        if name == nil {
          let new = "civic_\(self.prepared.count + naming.count + 1)"
          ok = PQsendPrepare(self.handle, new, statement.sql, count, nil) == 1
          sent.append(.preparation(sql: statement.sql, name: new))
          naming[statement.sql] = new
          name = new
        }
        ok = ok && PQsendQueryPrepared(self.handle, name, count, values, nil, nil, 0) == 1
      } else {
        ok = PQsendQueryParams(self.handle, statement.sql, count, nil, values, nil, nil, 0) == 1
      }
      sent.append(.statement(index))
    }
    guard ok, PQpipelineSync(self.handle) == 1 else { return [] }
    var results: [OpaquePointer?] = []
    // A failed preparation stands for its statement, whose own result only says "aborted".
    var failedPreparation: OpaquePointer? = nil
    for entry in sent {
      // A query's results end with a nil; in a pipeline each query has one result.
      var first: OpaquePointer? = nil
      while let result = PQgetResult(self.handle) {
        if first == nil { first = result } else { PQclear(result) }
      }
      switch entry {
      case .preparation(let sql, let name):
        if let first, PQresultStatus(first) == PGRES_COMMAND_OK {
          // Prepared statements outlive a failed or rolled-back transaction.
          self.prepared[sql] = name
          PQclear(first)
        } else {
          failedPreparation = first
        }
      case .statement:
        if let failure = failedPreparation {
          PQclear(first)
          results.append(failure)
          failedPreparation = nil
        } else {
          results.append(first)
        }
      }
      guard PQstatus(self.handle) == CONNECTION_OK else { break }
    }
    PQclear(failedPreparation)
    if PQstatus(self.handle) == CONNECTION_OK, let sync = PQgetResult(self.handle) {
      PQclear(sync)
    }
    return results
  }

  /// Runs a trusted script of several statements (migrations only: no parameters exist).
  func executeScript(_ sql: String) throws(StoreError) {
    // A script cannot join a pipeline: what waits for the next statement goes first.
    let deferred = self.deferred
    self.deferred = []
    for statement in deferred.map(\.statement) {
      let result = withOptionalCStrings(statement.values) { binds in
        PQexecParams(self.handle, statement.sql, Int32(binds.count), nil, binds, nil, nil, 0)
      }
      defer { PQclear(result) }
      self.roundTrips += 1
      _ = try self.collect(result, sql: statement.sql, cancelled: false)
    }
    self.roundTrips += 1
    let result = PQexec(self.handle, sql)
    defer { PQclear(result) }
    _ = try self.collect(result, sql: "<script>", cancelled: false)
  }

  /// Forgets a cancel request left over from the previous lease.
  func resetCancellation() {
    self.running.withLock { $0.pending = false }
    self.deferred = []
  }

  /// Asks the server to cancel the statement running now; when none runs, the next
  /// statement of this lease fails `.cancelled` without being sent.
  @discardableResult
  func cancel() -> Bool {
    self.running.withLock { state in
      guard state.active, let cancelHandle = self.cancelHandle else {
        state.pending = true
        return false
      }
      state.cancelRequested = true
      var buffer = [CChar](repeating: 0, count: 256)
      return PQcancel(cancelHandle, &buffer, Int32(buffer.count)) == 1
    }
  }

  /// Issues `LISTEN` for a channel; the identifier is quoted by libpq.
  func listen(_ channel: String) throws(StoreError) {
    guard let quoted = PQescapeIdentifier(self.handle, channel, channel.utf8.count) else {
      throw StoreError(code: .server, serverMessage: String(cString: PQerrorMessage(self.handle)))
    }
    let identifier = String(cString: quoted)
    PQfreemem(quoted)
    _ = try self.execute("LISTEN \(identifier)", [])
  }

  /// Waits up to `timeout` for notifications and returns those that arrived.
  func waitForNotifications(timeout: Duration) throws(StoreError) -> [StoreNotification] {
    var notes = self.drainNotifications()
    guard notes.isEmpty else { return notes }
    let socket = PQsocket(self.handle)
    guard socket >= 0 else { throw StoreError(code: .connectionLost, serverMessage: "no socket") }
    var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
    let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    let ready = poll(&descriptor, 1, milliseconds)
    if ready > 0 {
      guard PQconsumeInput(self.handle) == 1, PQstatus(self.handle) == CONNECTION_OK else {
        throw StoreError(code: .connectionLost, serverMessage: String(cString: PQerrorMessage(self.handle)))
      }
      notes = self.drainNotifications()
    }
    return notes
  }

  private func drainNotifications() -> [StoreNotification] {
    var notes: [StoreNotification] = []
    while let raw = PQnotifies(self.handle) {
      let note = raw.pointee
      notes.append(
        StoreNotification(channel: String(cString: note.relname), payload: String(cString: note.extra), backendPID: note.be_pid)
      )
      PQfreemem(raw)
    }
    return notes
  }

  private func collect(_ result: OpaquePointer?, sql: String, cancelled: Bool) throws(StoreError) -> QueryResult {
    guard let result else {
      throw StoreError(
        code: PQstatus(self.handle) == CONNECTION_OK ? .server : .connectionLost,
        serverMessage: String(cString: PQerrorMessage(self.handle)),
        query: sql
      )
    }
    let status = PQresultStatus(result)
    switch status {
    case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
      break
    default:
      throw self.error(from: result, sql: sql, cancelled: cancelled)
    }
    let columnCount = Int(PQnfields(result))
    let rowCount = Int(PQntuples(result))
    let columns = QueryResult.Columns(names: (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) })
    var rows: [Row] = []
    rows.reserveCapacity(rowCount)
    for row in 0..<Int32(rowCount) {
      var values: [String?] = []
      values.reserveCapacity(columnCount)
      for column in 0..<Int32(columnCount) {
        values.append(PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column)))
      }
      rows.append(Row(columns: columns, values: values))
    }
    let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
    return QueryResult(rows: rows, affectedRows: affected, columns: columns)
  }

  private func error(from result: OpaquePointer, sql: String, cancelled: Bool) -> StoreError {
    func field(_ code: Character) -> String? {
      guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
      return String(cString: value)
    }
    let sqlState = field("C")
    var code = StoreError.Code.server
    if PQstatus(self.handle) != CONNECTION_OK {
      code = .connectionLost
    } else if sqlState == "57014" {
      // query_canceled: either our PQcancel (task cancelled) or statement_timeout (deadline).
      code = cancelled ? .cancelled : .deadlineExceeded
    }
    return StoreError(
      code: code,
      sqlState: sqlState,
      serverMessage: field("M") ?? String(cString: PQresultErrorMessage(result)),
      detail: field("D"),
      query: sql,
      constraint: field("n")
    )
  }
}

/// A notification delivered by `LISTEN`.
public struct StoreNotification: Sendable, Hashable {
  public var channel: String
  public var payload: String
  /// The process id of the backend that sent it.
  public var backendPID: Int32
}

private func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
  withOptionalCStrings(strings) { pointers in
    body(pointers + [nil])
  }
}

/// Calls `body` with C strings for `strings` (nil stays nil), valid only during the call.
private func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
  let owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } }
  defer { for pointer in owned { free(pointer) } }
  return body(owned.map { UnsafePointer($0) })
}
