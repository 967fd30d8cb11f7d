/// A statement's short name for spans, from its first keywords and the table it names:
/// `INSERT audit_log`, `SELECT cases`, `UPDATE case_warnings`, `WITH`, `COMMIT`.
///
/// Only keywords and one identifier are taken from the text, never a literal or a
/// parameter, so the name carries no data whatever the statement holds (OpenTelemetry's
/// `db.query.summary`).
enum StatementSummary {
  /// The summary of `sql`, at most two words.
  static func of(_ sql: String) -> String {
    let words = Self.words(sql, limit: 64)
    guard let first = words.first else { return "SQL" }
    let verb = first.uppercased()
    let table: Substring?
    switch verb {
    case "INSERT": table = Self.word(after: "INTO", in: words)
    case "DELETE": table = Self.word(after: "FROM", in: words)
    case "UPDATE": table = words.dropFirst().first { $0.uppercased() != "ONLY" }
    case "SELECT": table = Self.word(after: "FROM", in: words)
    default: table = nil
    }
    guard let table, Self.isIdentifier(table) else { return verb }
    return "\(verb) \(table)"
  }

  /// The word after the first `keyword` (case-insensitive), skipping `ONLY`.
  private static func word(after keyword: String, in words: [Substring]) -> Substring? {
    guard let index = words.firstIndex(where: { $0.uppercased() == keyword }) else { return nil }
    return words[(index + 1)...].first { $0.uppercased() != "ONLY" }
  }

  /// Up to `limit` words split at whitespace and the punctuation that can follow a name.
  private static func words(_ sql: String, limit: Int) -> [Substring] {
    Array(sql.split(maxSplits: limit, whereSeparator: { $0.isWhitespace || "(),;".contains($0) }).prefix(limit))
  }

  /// A plain or schema-qualified SQL name: letters, digits, `_` and `.`, starting with a letter
  /// or `_`. A quoted name, a literal or a `$n` is none, and is left out.
  private static func isIdentifier(_ word: Substring) -> Bool {
    guard let first = word.first, first.isASCII, first.isLetter || first == "_" else { return false }
    return word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") } && word.count <= 63
  }
}
