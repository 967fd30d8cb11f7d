import CivicStore
import Foundation
import GRPCCore
import Testing

@Suite("Transactions", .timeLimit(.minutes(1)))
struct TransactionTests {
  @Test("commits on return and rolls back on throw", arguments: IsolationLevel.allCases)
  func commitAndRollback(isolation: IsolationLevel) async throws {
    let table = TestDatabase.tableName("tx")
    try await TestDatabase.withPool { pool in
      try await pool.query("CREATE TABLE \(table) (n int)")
      try await pool.transaction(isolation: isolation) { try await $0.execute("INSERT INTO \(table) VALUES (1)") }
      struct Boom: Error {}
      await #expect(throws: Boom.self) {
        try await pool.transaction(isolation: isolation) { connection in
          try await connection.execute("INSERT INTO \(table) VALUES (2)")
          throw Boom()
        }
      }
      let level = try await pool.transaction(isolation: isolation) {
        try await $0.query("SHOW transaction_isolation").scalar(String.self)
      }
      #expect(level == isolation.rawValue.lowercased())
      #expect(try await pool.query("SELECT array_agg(n)::text FROM \(table)").scalar(String.self) == "{1}")
      try await pool.query("DROP TABLE \(table)")
    }
  }

  /// Write skew: each transaction reads what the other writes. Under SERIALIZABLE one
  /// of them fails with 40001 and is rerun; both end up committed.
  @Test("reruns a transaction that hit a real serialization failure (40001)")
  func retriesSerializationFailure() async throws {
    let table = TestDatabase.tableName("skew")
    try await TestDatabase.withPool { pool in
      try await pool.query("CREATE TABLE \(table) (kind text NOT NULL)")
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
      #expect(try await pool.query("SELECT count(*) FROM \(table)").scalar(Int.self) == 2)
      try await pool.query("DROP TABLE \(table)")
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
      #expect(error?.rpcErrorCode == .aborted)
      #expect(attempts.value == 2)
    }
  }

  @Test("the deadline becomes a statement timeout: DEADLINE_EXCEEDED, connection reusable")
  func statementTimeout() async throws {
    try await TestDatabase.withPool(poolSize: 1) { pool in
      let started = ContinuousClock.now
      let error = await expectStoreError(.deadlineExceeded) {
        try await pool.transaction(deadline: .now + .milliseconds(300)) { _ = try await $0.query("SELECT pg_sleep(20)") }
      }
      #expect(error?.rpcErrorCode == .deadlineExceeded)
      #expect(ContinuousClock.now - started < .seconds(10))
      // The timeout was SET LOCAL: the (only) connection has no timeout left.
      let timeout = try await pool.query("SHOW statement_timeout").scalar(String.self)
      #expect(timeout == "0")
      await expectStoreError(.deadlineExceeded) {
        try await pool.transaction(deadline: .now - .seconds(1)) { _ = try await $0.query("SELECT 1") }
      }
    }
  }
}
