import CivicStore
import Foundation
import Testing

/// Two statements sent in one round trip (`StoreConnection.query(_:_:)`, libpq pipeline mode).
@Suite("Two statements in one round trip", .timeLimit(.minutes(5)))
struct PipelinedQueryTests {
  @Test("both results come back in order, with their own values, again from the prepared statements")
  func results() async throws {
    try await TestDatabase.withPool { pool in
      try await pool.withConnection { connection in
        let pid = connection.backendPID
        for round in 0..<3 {
          let word = "w\(round)"
          let (first, second) = try await connection.query(
            "SELECT \(word)::text AS w, pg_backend_pid() AS pid",
            "SELECT g AS n FROM generate_series(1, \(Int64(round + 2))) AS g ORDER BY g"
          )
          let words = try first.decode((String, Int32).self).map { "\($0.0) \($0.1)" }
          let numbers = try second.decode(Int64.self)
          #expect(words == ["\(word) \(pid)"])
          #expect(numbers == Array(1...Int64(round + 2)))
        }
        // Prepared once per connection: one statement per SQL text, whichever way it was sent.
        let prepared = try await connection.query(
          "SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE \("%generate_series(1, $1)%")"
        )
        let count = try prepared.decode(Int64.self)
        #expect(count == [1])
      }
    }
  }

  @Test("a failing first or second statement is thrown naming its SQL, and the connection is fit for the next call")
  func failures() async throws {
    try await TestDatabase.withPool { pool in
      try await pool.withConnection { connection in
        for (first, second, failing) in [
          ("SELECT 1/0 AS x" as SQLQuery, "SELECT 2 AS x" as SQLQuery, "1/0"),
          ("SELECT 1 AS x", "SELECT no_such_column FROM pg_class", "no_such_column"),
          ("SELECT 1 AS x", "SELECT 1 FROM no_such_table", "no_such_table"),
        ] {
          do {
            _ = try await connection.query(first, second)
            Issue.record("no error for \(failing)")
          } catch let error as StoreError {
            #expect(error.code == .server)
            #expect(error.query?.contains(failing) == true, "\(error)")
          }
          let (one, two) = try await connection.query("SELECT 1 AS x", "SELECT 2 AS x")
          let values = try one.decode(Int32.self) + two.decode(Int32.self)
          #expect(values == [1, 2])
        }
      }
    }
  }

  @Test("a NUL in a value refuses both statements before either is sent")
  func nul() async throws {
    try await TestDatabase.withPool { pool in
      try await pool.withConnection { connection in
        await #expect(throws: StoreError.self) {
          _ = try await connection.query("SELECT 1 AS x", "SELECT \("a\u{0}b")::text AS x")
        }
        let (one, _) = try await connection.query("SELECT 1 AS x", "SELECT 2 AS x")
        let value = try one.decode(Int32.self)
        #expect(value == [1])
      }
    }
  }

  @Test("inside a transaction the two statements follow its BEGIN in the same pipeline, in the transaction")
  func inTransaction() async throws {
    try await TestDatabase.withPool { pool in
      try await pool.transaction { connection in
        let (first, second) = try await connection.query("SELECT txid_current() AS t", "SELECT txid_current() AS t")
        let (a, b) = (try first.decode(Int64.self), try second.decode(Int64.self))
        #expect(a == b && a.count == 1)
      }
    }
  }
}
