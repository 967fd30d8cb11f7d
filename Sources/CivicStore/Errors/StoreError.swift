/// An error from CivicStore.
///
/// `description` names the kind of failure and the SQLSTATE only: it never contains SQL
/// text, bound values or the server's message (which may quote values), so it is safe to
/// log and to send to clients. `debugDescription` has everything, for developers.
public struct StoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
  /// The kind of failure; extensible like `RPCError.Code`.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    private enum Base: String, Sendable, Hashable {
      case unavailable, connectionLost, server, deadlineExceeded, cancelled, decoding, poolClosed, poolExhausted, invalidConfiguration
    }
    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// PostgreSQL could not be reached (refused, timed out, authentication failed).
    public static let unavailable = Self(.unavailable)
    /// The connection broke while a statement was running; the outcome is unknown.
    public static let connectionLost = Self(.connectionLost)
    /// The server rejected a statement; see `sqlState`.
    public static let server = Self(.server)
    /// The statement timeout derived from the caller's deadline fired.
    public static let deadlineExceeded = Self(.deadlineExceeded)
    /// The calling task was cancelled and the running statement with it.
    public static let cancelled = Self(.cancelled)
    /// A column could not be decoded as the requested Swift type.
    public static let decoding = Self(.decoding)
    /// The pool has been shut down.
    public static let poolClosed = Self(.poolClosed)
    /// Every connection was in use and the wait queue full (`poolQueueLimit`).
    public static let poolExhausted = Self(.poolExhausted)
    /// The connection settings could not be parsed.
    public static let invalidConfiguration = Self(.invalidConfiguration)

    public var description: String { self.base.rawValue }
  }

  public var code: Code
  /// The five-character SQLSTATE when the server reported one (`40001`, `23505`, …).
  public var sqlState: String?
  /// The server's or libpq's message: may quote values, so only in `debugDescription`.
  public var serverMessage: String?
  /// The server's DETAIL field, when present (may quote values).
  public var detail: String?
  /// The statement that failed (never in `description`).
  public var query: String?
  /// The constraint named by the server, if any; safe to show (it is schema, not data).
  public var constraint: String?

  public init(
    code: Code, sqlState: String? = nil, serverMessage: String? = nil, detail: String? = nil,
    query: String? = nil, constraint: String? = nil
  ) {
    self.code = code
    self.sqlState = sqlState
    self.serverMessage = serverMessage
    self.detail = detail
    self.query = query
    self.constraint = constraint
  }

  /// Serialization failure or deadlock: the transaction may succeed if run again.
  public var isRetryable: Bool {
    self.code == .server && (self.sqlState == "40001" || self.sqlState == "40P01")
  }

  public var description: String {
    var parts = ["code: \(self.code)"]
    if let sqlState { parts.append("sqlState: \(sqlState)") }
    if let constraint { parts.append("constraint: \(constraint)") }
    return "StoreError(\(parts.joined(separator: ", ")))"
  }

  public var debugDescription: String {
    var parts = ["code: \(self.code)"]
    if let sqlState { parts.append("sqlState: \(sqlState)") }
    if let constraint { parts.append("constraint: \(constraint)") }
    if let serverMessage { parts.append("message: \(serverMessage.debugDescription)") }
    if let detail { parts.append("detail: \(detail.debugDescription)") }
    if let query { parts.append("query: \(query.debugDescription)") }
    return "StoreError(\(parts.joined(separator: ", ")))"
  }
}

extension StoreError {
  /// A bound text value held U+0000, which PostgreSQL text cannot store; nothing was sent.
  /// Reported like the server's own refusal of such a value (SQLSTATE 22021).
  static func nulCharacter(query: String) -> StoreError {
    StoreError(
      code: .server,
      sqlState: "22021",
      serverMessage: "a bound text value contains a NUL character, which PostgreSQL text cannot store",
      query: query
    )
  }
}
