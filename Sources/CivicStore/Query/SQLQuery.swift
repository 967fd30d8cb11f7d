/// A statement whose values are bound as `$n` parameters, written with string interpolation:
///
///     let rows = try await connection.query("SELECT name FROM units WHERE code = \(code)")
///
/// sends `SELECT name FROM units WHERE code = $1` with `code` bound out-of-band, the way
/// postgres-nio's `PostgresQuery` does. An interpolated value never becomes SQL text; only
/// `\(unescaped:)` splices text, for identifiers and fragments the code itself chose.
///
/// Queries compose: `append` adds a fragment and renumbers its parameters, so optional
/// filters build up without counting `$n` by hand.
public struct SQLQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
  /// The literal text around the parameters: always one more piece than `binds`.
  private var pieces: [String]
  /// The bound values, in parameter order.
  public private(set) var binds: [any SQLEncodable]

  /// Trusted SQL text with its values already numbered `$1…$n` (migrations, generated text).
  public init(unsafeSQL sql: String, binds: [any SQLEncodable] = []) {
    // Kept as one piece: the numbering is the caller's; `append` offsets only what it adds.
    self.pieces = [sql]
    self.binds = binds
    self.prenumbered = binds.count
  }

  public init(stringLiteral value: String) {
    self.pieces = [value]
    self.binds = []
    self.prenumbered = 0
  }

  public init(stringInterpolation: StringInterpolation) {
    self.pieces = stringInterpolation.pieces
    self.binds = stringInterpolation.binds
    self.prenumbered = 0
  }

  /// Parameters numbered by an `unsafeSQL` caller inside the first piece.
  private var prenumbered: Int

  /// The statement's name in traces; nil: derived from its first keywords (`INSERT audit_log`).
  public var name: String?

  /// This query named `name` in traces (a short constant, never data).
  public func named(_ name: String) -> SQLQuery {
    var query = self
    query.name = name
    return query
  }

  /// The name spans give the statement: ``name``, else its first keywords and table.
  public var summary: String { self.name ?? StatementSummary.of(self.sql) }

  /// The statement text with `$n` placeholders.
  public var sql: String {
    var text = self.pieces[0]
    for index in 1..<self.pieces.count {
      text += "$\(self.prenumbered + index)"
      text += self.pieces[index]
    }
    return text
  }

  /// Appends `other`, numbering its parameters after this query's.
  public mutating func append(_ other: SQLQuery) {
    precondition(other.prenumbered == 0, "an unsafeSQL query with its own $n cannot be appended")
    self.pieces[self.pieces.count - 1] += other.pieces[0]
    self.pieces.append(contentsOf: other.pieces.dropFirst())
    self.binds.append(contentsOf: other.binds)
  }

  /// `self` followed by `other`, with `other`'s parameters renumbered.
  public static func + (lhs: SQLQuery, rhs: SQLQuery) -> SQLQuery {
    var query = lhs
    query.append(rhs)
    return query
  }

  /// The SQL text and the number of bound values (never the values: they may be personal data).
  public var description: String { "\(self.sql) [\(self.binds.count) binds]" }

  public struct StringInterpolation: StringInterpolationProtocol {
    fileprivate var pieces: [String] = [""]
    fileprivate var binds: [any SQLEncodable] = []

    public init(literalCapacity: Int, interpolationCount: Int) {
      self.binds.reserveCapacity(interpolationCount)
    }

    public mutating func appendLiteral(_ literal: String) {
      self.pieces[self.pieces.count - 1] += literal
    }

    /// Binds `value` as the next `$n` parameter.
    public mutating func appendInterpolation(_ value: some SQLEncodable) {
      self.binds.append(value)
      self.pieces.append("")
    }

    /// Binds an optional value (`nil` is NULL).
    public mutating func appendInterpolation(_ value: (some SQLEncodable)?) {
      self.binds.append(value)
      self.pieces.append("")
    }

    /// Splices trusted text (an identifier or fragment the code chose, never input).
    public mutating func appendInterpolation(unescaped text: String) {
      self.pieces[self.pieces.count - 1] += text
    }

    /// Splices another query, numbering its parameters after the ones so far.
    public mutating func appendInterpolation(_ query: SQLQuery) {
      precondition(query.prenumbered == 0, "an unsafeSQL query with its own $n cannot be spliced")
      self.pieces[self.pieces.count - 1] += query.pieces[0]
      self.pieces.append(contentsOf: query.pieces.dropFirst())
      self.binds.append(contentsOf: query.binds)
    }
  }
}
