import CivicStore
import Testing

@Suite("Injection", .timeLimit(.minutes(1)))
struct InjectionTests {
  static let hostile: [String] = [
    "'; DROP TABLE victims; --",
    "' OR '1'='1",
    "\\'; SELECT pg_sleep(10); --",
    "$1 $2 $$ $tag$ body $tag$",
    "E'\\x41'",
    "\"quoted identifier\"",
    "line\nbreak\r\n\ttab",
    "%s %d %n {0} ${x}",
    "Robert'); DROP TABLE students;--",
    "浙江省 网格 🏘️ \u{202E}rtl",
    "back\\slash \\\\ double",
    String(repeating: "'", count: 64),
    "",
  ]

  @Test("hostile strings are stored and read back verbatim", arguments: Self.hostile)
  func storedVerbatim(value: String) async throws {
    let table = TestDatabase.tableName("victims")
    try await TestDatabase.withPool(poolSize: 1) { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (id int, value text, note text)")
      try await pool.query("INSERT INTO \(table) VALUES ($1, $2, $3)", [1, value, value])
      let row = try await pool.query("SELECT value, note FROM \(table) WHERE value = $1", [value]).rows
      #expect(row.count == 1)
      #expect(try row.first?.decode(String.self, at: 0) == value)
      #expect(try row.first?.decode(String.self, at: 1) == value)
      // Still exactly one table and one row: nothing was executed from the values.
      #expect(try await pool.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self) == 1)
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }
}
