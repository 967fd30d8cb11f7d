import CivicStore
import Testing

@Suite("StoreError", .timeLimit(.minutes(1)))
struct StoreErrorTests {
  @Test("description leaks no SQL or values; debugDescription has them")
  func descriptionIsSafe() async throws {
    let table = TestDatabase.tableName("uniq")
    try await TestDatabase.withPool(poolSize: 1) { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (email text CONSTRAINT \(unescaped: table)_email UNIQUE)")
      try await pool.query("INSERT INTO \(table) VALUES ($1)", ["secret@example.org"])
      let error = await expectStoreError(.server) {
        try await pool.query("INSERT INTO \(table) VALUES ($1)", ["secret@example.org"])
      }
      let unwrapped = try #require(error)
      #expect(unwrapped.sqlState == "23505")
      #expect(unwrapped.constraint == "\(table)_email")
      #expect(!unwrapped.description.contains("secret"))
      #expect(!unwrapped.description.contains("INSERT"))
      #expect(unwrapped.debugDescription.contains("secret@example.org"))
      #expect(unwrapped.debugDescription.contains("INSERT INTO"))
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }
}
