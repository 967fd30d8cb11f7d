import CivicStore
import Testing

@Suite("SQLArray against PostgreSQL", .timeLimit(.minutes(5)))
struct SQLArrayTests {
  @Test("hostile text, NULLs and numbers survive the round trip through unnest, in order")
  func roundTrip() async throws {
    try await TestDatabase.withPool { pool in
      let texts: [String?] = ["plain", "quote \" and \\ backslash", "{braces, commas}", "NULL", nil, "", "催办 → 🙂", "trailing\\"]
      let numbers: [Int64?] = [1, -2, nil, Int64.max, 0, 7, 8, 9]
      let rows = try await pool.query(
        "SELECT t, n FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS r(t, n, position) ORDER BY position",
        [SQLArray(texts), SQLArray(numbers)]
      ).rows
      #expect(try rows.map { try $0.decode(String?.self, at: 0) } == texts)
      #expect(try rows.map { try $0.decode(Int64?.self, at: 1) } == numbers)
      #expect(try await pool.query("SELECT cardinality($1::int[])", [SQLArray([Int]())]).scalar(Int.self) == 0)
    }
  }
}
