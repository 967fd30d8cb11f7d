import CivicStore
import Foundation
import Testing

@Suite("Transactions", .timeLimit(.minutes(1)))
struct TransactionTests {
  @Test("commits on return and rolls back on throw", arguments: IsolationLevel.allCases)
  func commitAndRollback(isolation: IsolationLevel) async throws {
    let table = TestDatabase.tableName("tx")
    try await TestDatabase.withPool { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (n int)")
      try await pool.transaction(isolation: isolation) { try await $0.execute("INSERT INTO \(unescaped: table) VALUES (1)") }
      struct Boom: Error {}
      await #expect(throws: Boom.self) {
        try await pool.transaction(isolation: isolation) { connection in
          try await connection.execute("INSERT INTO \(unescaped: table) VALUES (2)")
          throw Boom()
        }
      }
      let level = try await pool.transaction(isolation: isolation) {
        try await $0.query("SHOW transaction_isolation").scalar(String.self)
      }
      #expect(level == isolation.rawValue.lowercased())
      #expect(try await pool.query("SELECT array_agg(n)::text FROM \(unescaped: table)").scalar(String.self) == "{1}")
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }

  /// Write skew: each transaction reads what the other writes. Under SERIALIZABLE one
  /// of them fails with 40001 and is rerun; both end up committed.
  @Test("reruns a transaction that hit a real serialization failure (40001)")
  func retriesSerializationFailure() async throws {
    let table = TestDatabase.tableName("skew")
    try await TestDatabase.withPool { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (kind text NOT NULL)")
      let attempts = Counter()
      let readers = Counter()
      try await withThrowingTaskGroup(of: Void.self) { group in
        for (reads, writes) in [("a", "b"), ("b", "a")] {
          group.addTask {
            var first = true
            try await pool.transaction(isolation: .serializable) { connection in
              attempts.increment()
              _ = try await connection.query("SELECT count(*) FROM \(table) WHERE kind = $1", [reads])
              if first {
                // Both read before either writes (bounded wait), which forces the conflict.
                first = false
                readers.increment()
                _ = try await eventually { readers.value >= 2 }
              }
              try await connection.execute("INSERT INTO \(table) (kind) VALUES ($1)", [writes])
            }
          }
        }
        try await group.waitForAll()
      }
      #expect(attempts.value >= 3, "one transaction must have been rerun")
      #expect(try await pool.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self) == 2)
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }

  @Test("gives up after the configured attempts with ABORTED")
  func retriesAreBounded() async throws {
    var configuration = try TestDatabase.configuration()
    configuration.transactionAttempts = 2
    let attempts = Counter()
    try await TestDatabase.withPool(configuration) { pool in
      let error = await expectStoreError(.server) {
        try await pool.transaction(isolation: .serializable) { connection in
          attempts.increment()
          // A deliberately raised serialization failure, every time.
          try await connection.query("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
        }
      }
      #expect(error?.sqlState == "40001")
      #expect(attempts.value == 2)
    }
  }

  @Test("the deadline becomes a statement timeout: DEADLINE_EXCEEDED, connection reusable")
  func statementTimeout() async throws {
    try await TestDatabase.withPool(poolSize: 1) { pool in
      // Ended by the server's statement timeout (57014, query_canceled), not by the sleep
      // running out: a 20 s sleep that ran out would have succeeded.
      let error = await expectStoreError(.deadlineExceeded) {
        // Two seconds, so that on a loaded machine the deadline still falls inside the sleep.
        try await pool.transaction(deadline: .now + .seconds(2)) { _ = try await $0.query("SELECT pg_sleep(20)") }
      }
      #expect(error?.sqlState == "57014")
      // The timeout was SET LOCAL: the (only) connection has no timeout left.
      let timeout = try await pool.query("SHOW statement_timeout").scalar(String.self)
      #expect(timeout == "0")
      await expectStoreError(.deadlineExceeded) {
        try await pool.transaction(deadline: .now - .seconds(1)) { _ = try await $0.query("SELECT 1") }
      }
    }
  }
}

/// `transaction` sends BEGIN (and the statement timeout) in one pipeline with the closure's
/// first statement; the first statement's failures and cancellation must behave as before.
@Suite("Transactions: BEGIN sent with the first statement", .timeLimit(.minutes(1)))
struct PipelinedBeginTests {
  @Test("the first statement already runs inside the transaction, with its isolation and timeout")
  func firstStatementSeesTheTransaction() async throws {
    try await TestDatabase.withPool(poolSize: 1) { pool in
      let row = try await pool.transaction(isolation: .serializable, deadline: .now + .seconds(30)) { connection in
        try await connection.query(
          "SELECT current_setting('transaction_isolation'), current_setting('statement_timeout'), now() = statement_timestamp()"
        ).rows[0]
      }
      #expect(try row.decode(String.self, at: 0) == "serializable")
      #expect(try row.decode(String.self, at: 1) != "0")
      // The same connection, outside the transaction: the timeout was local to it.
      #expect(try await pool.query("SHOW statement_timeout").scalar(String.self) == "0")
      // A second statement in the transaction sees the same transaction start.
      let sameStart = try await pool.transaction { connection in
        let first = try await connection.query("SELECT now()::text").scalar(String.self)
        try await Task.sleep(for: .milliseconds(20))
        let second = try await connection.query("SELECT now()::text").scalar(String.self)
        return first == second
      }
      #expect(sameStart)
    }
  }

  @Test("a closure that runs no statement begins nothing and keeps its connection")
  func noStatement() async throws {
    try await TestDatabase.withPool(poolSize: 1) { pool in
      try await pool.query("SELECT 1")
      let before = pool.idleBackendPIDs
      #expect(try await pool.transaction(deadline: .now + .seconds(5)) { _ in 42 } == 42)
      struct Boom: Error {}
      await #expect(throws: Boom.self) { try await pool.transaction { _ in throw Boom() } }
      #expect(pool.idleBackendPIDs == before)
      #expect(try await pool.query("SELECT 1").scalar(Int.self) == 1)
    }
  }

  @Test(
    "a failing first statement rolls back, names its SQLSTATE, and leaves the connection reusable",
    arguments: [("INSERT INTO %@ (k) VALUES ($1)", "23505"), ("INSERT INTO %@ (k) VALUES ($1) RETURNING nope", "42703")]
  )
  func failingFirstStatement(template: String, sqlState: String) async throws {
    let table = TestDatabase.tableName("firstfail")
    let insert = template.replacingOccurrences(of: "%@", with: table)
    try await TestDatabase.withPool(poolSize: 1) { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (k int PRIMARY KEY)")
      try await pool.query("INSERT INTO \(unescaped: table) (k) VALUES (1)")
      let pid = pool.idleBackendPIDs
      // Twice: the second time the statement was prepared (or failed to be) the first time.
      for _ in 0..<2 {
        let error = await expectStoreError(.server) {
          try await pool.transaction { connection in
            try await connection.execute(insert, [1])
            try await connection.execute("INSERT INTO \(unescaped: table) (k) VALUES (2)")
          }
        }
        #expect(error?.sqlState == sqlState)
        #expect(pool.idleBackendPIDs == pid)
      }
      #expect(try await pool.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self) == 1)
      // The statement that hit the unique violation works once the row is free.
      if sqlState == "23505" {
        try await pool.transaction { connection in
          try await connection.execute("DELETE FROM \(unescaped: table)")
          try await connection.execute(insert, [1])
        }
        try await pool.transaction { try await $0.execute("DELETE FROM \(unescaped: table)") }
        try await pool.transaction { try await $0.execute(insert, [7]) }
        #expect(try await pool.query("SELECT k FROM \(unescaped: table)").scalar(Int.self) == 7)
      }
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }

  @Test("cancelling the task cancels a first statement sent with BEGIN")
  func cancelFirstStatement() async throws {
    let configuration = try TestDatabase.configuration(poolSize: 1)
    try await TestDatabase.withPool(configuration) { pool in
      let sleeper = Task { try await pool.transaction { try await $0.query("SELECT pg_sleep(30)") } }
      let running = try await TestDatabase.waitUntilRunning(applicationName: configuration.applicationName)
      #expect(running)
      sleeper.cancel()
      let error = await expectStoreError(.cancelled) { _ = try await sleeper.value }
      // 57014 (query_canceled) comes only from a cancel that reached the server.
      #expect(error?.sqlState == "57014")
      // A cancelled task sends no ROLLBACK: the pool dropped the connection and opens another.
      #expect(try await pool.query("SELECT 1").scalar(Int.self) == 1)
    }
  }

  @Test("many clients share a small pool: every insert+select transaction commits")
  func concurrentInsertSelect() async throws {
    let table = TestDatabase.tableName("many")
    try await TestDatabase.withPool(poolSize: 3) { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (id bigserial PRIMARY KEY, v int NOT NULL)")
      try await withThrowingTaskGroup(of: Void.self) { group in
        for client in 0..<12 {
          group.addTask {
            for n in 0..<20 {
              let v = client * 100 + n
              let read = try await pool.transaction(deadline: .now + .seconds(10)) { connection in
                let id = try await connection.query("INSERT INTO \(table) (v) VALUES ($1) RETURNING id", [v]).scalar(Int64.self)
                return try await connection.query("SELECT v FROM \(table) WHERE id = $1", [id]).scalar(Int.self)
              }
              #expect(read == v)
            }
          }
        }
        try await group.waitForAll()
      }
      #expect(try await pool.query("SELECT count(DISTINCT v) FROM \(unescaped: table)").scalar(Int.self) == 240)
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }
}
