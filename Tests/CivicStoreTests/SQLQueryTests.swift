import CivicStore
import Foundation
import Testing

@Suite("SQLQuery: interpolated values become $n parameters", .timeLimit(.minutes(5)))
struct SQLQueryTests {
  @Test("each interpolated value is the next parameter; the text holds none of them")
  func numbering() {
    let code = "U-1'; DROP TABLE units; --"
    let limit = 20
    let query: SQLQuery = "SELECT name FROM units WHERE code = \(code) AND depth < \(limit) LIMIT \(limit)"
    #expect(query.sql == "SELECT name FROM units WHERE code = $1 AND depth < $2 LIMIT $3")
    #expect(query.binds.map(\.sqlText) == [code, "20", "20"])
  }

  @Test("append and splicing renumber the added fragment after the values so far")
  func composition() {
    let unit = "D01"
    let state = "open"
    var query: SQLQuery = "SELECT id FROM cases WHERE unit = \(unit)"
    query.append(" AND state = \(state)")
    let spliced: SQLQuery = "\(query) ORDER BY id LIMIT \(5)"
    #expect(query.sql == "SELECT id FROM cases WHERE unit = $1 AND state = $2")
    #expect(spliced.sql == "SELECT id FROM cases WHERE unit = $1 AND state = $2 ORDER BY id LIMIT $3")
    #expect(spliced.binds.map(\.sqlText) == ["D01", "open", "5"])
  }

  @Test("unescaped text is spliced as written, an optional nil binds NULL")
  func unescapedAndNull() {
    let column = "created_at"
    let missing: String? = nil
    let query: SQLQuery = "SELECT \(unescaped: column) FROM cases WHERE note IS NOT DISTINCT FROM \(missing)"
    #expect(query.sql == "SELECT created_at FROM cases WHERE note IS NOT DISTINCT FROM $1")
    #expect(query.binds.count == 1 && query.binds[0].sqlText == nil)
    #expect(!query.description.contains("D01"))
  }

  @Test("against PostgreSQL: hostile text is a value, and rows decode as typed tuples and records")
  func roundTrip() async throws {
    struct Pair: SQLRecord {
      let text: String
      let number: Int64?
      init(row: Row) throws(StoreError) {
        self.text = try row.decode(column: "t")
        self.number = try row.decode(column: "n")
      }
    }
    try await TestDatabase.withPool { pool in
      let hostile = "x'); SELECT pg_sleep(10); --"
      let none: Int64? = nil
      let result = try await pool.query(
        "SELECT t, n FROM (VALUES (\(hostile)::text, \(Int64(7))::bigint), ('b', \(none)::bigint)) AS v(t, n) ORDER BY t DESC"
      )
      #expect(try result.decode((String, Int64?).self).map { "\($0.0)|\($0.1.map(String.init) ?? "NULL")" } == ["\(hostile)|7", "b|NULL"])
      #expect(try result.decode(Pair.self).map(\.number) == [7, nil])
      #expect(try result.first(Pair.self)?.text == hostile)
      let empty = try await pool.query("SELECT 1 WHERE false")
      #expect(try empty.first(Pair.self) == nil)
    }
  }
}
