import Tracing

/// The store's spans: one per transaction and one per statement, children of whatever span
/// is current (an RPC's server span, a sweeper batch).
///
/// A statement span is named by the statement's summary (`INSERT audit_log`, or
/// `SQLQuery.name`) and carries its row count; never the SQL text, a literal or a bound
/// value, which may be personal data. A failure sets the error status with the
/// `StoreError` description (its kind and SQLSTATE, see `StoreError`), never the server's
/// message, which can quote values.
enum StoreSpans {
  /// Span attribute names (docs/MONITORING.md, Traces).
  enum Key {
    static let system = "db.system.name"
    static let summary = "db.query.summary"
    static let rowCount = "db.row_count"
    static let isolation = "db.transaction.isolation"
    static let attempts = "db.transaction.attempts"
    static let errorType = "error.type"
  }

  /// Runs one statement, or statements sent together, inside a client span named `summary`.
  static func statement<Result>(
    _ tracer: any Tracer,
    summary: String,
    rows: (Result) -> Int,
    _ run: () async throws(StoreError) -> Result
  ) async throws(StoreError) -> Result {
    let span = tracer.startSpan(summary, ofKind: .client)
    defer { span.end() }
    span.attributes[Key.system] = "postgresql"
    span.attributes[Key.summary] = summary
    do {
      let result = try await run()
      span.attributes[Key.rowCount] = rows(result)
      return result
    } catch {
      Self.fail(span, error)
      throw error
    }
  }

  /// Runs `body` inside a span `db.transaction` that is current for its statements.
  static func transaction<R>(
    _ tracer: any Tracer,
    isolation: IsolationLevel,
    _ body: (_ attempt: @Sendable (Int) -> Void) async throws -> R
  ) async throws -> R {
    let span = tracer.startSpan("db.transaction", ofKind: .client)
    defer { span.end() }
    span.attributes[Key.system] = "postgresql"
    span.attributes[Key.isolation] = isolation.rawValue
    do {
      return try await ServiceContext.$current.withValue(span.context) {
        try await body { attempt in span.attributes[Key.attempts] = attempt }
      }
    } catch {
      Self.fail(span, error)
      throw error
    }
  }

  private static func fail(_ span: any Span, _ error: any Error) {
    let kind = (error as? StoreError).map { "\($0)" } ?? "\(type(of: error))"
    span.attributes[Key.errorType] = kind
    span.setStatus(SpanStatus(code: .error, message: kind))
  }
}
