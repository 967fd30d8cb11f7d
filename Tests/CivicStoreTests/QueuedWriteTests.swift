import CivicStore
import Foundation
import Synchronization
import Testing

/// Writes queued to go out with the next statement or the COMMIT (`StoreConnection.queue`).
@Suite("Queued writes", .timeLimit(.minutes(1)))
struct QueuedWriteTests {
  @Test("a queued write goes out with the COMMIT: BEGIN, the write and COMMIT in one round trip")
  func withCommit() async throws {
    try await Self.withTable { pool, table in
      try await pool.withConnection { connection in
        let before = connection.roundTrips
        try await connection.transaction { try await $0.queue("INSERT INTO \(unescaped: table) (n) VALUES (\(1))") }
        #expect(connection.roundTrips - before == 1)
      }
      #expect(try await Self.rows(pool, table) == "{1}")
    }
  }

  @Test("a queued write goes out before the next statement, which sees it, in the same round trip")
  func withNextStatement() async throws {
    try await Self.withTable { pool, table in
      try await pool.withConnection { connection in
        let before = connection.roundTrips
        let seen = try await connection.transaction { connection in
          try await connection.query("SELECT 1")
          try await connection.queue("INSERT INTO \(unescaped: table) (n) VALUES (\(1))")
          try await connection.queue("INSERT INTO \(unescaped: table) (n) VALUES (\(2))")
          return try await connection.query("SELECT array_agg(n ORDER BY n)::text FROM \(unescaped: table)").scalar(String.self)
        }
        #expect(seen == "{1,2}")
        // BEGIN with the first SELECT; both writes with the second; COMMIT.
        #expect(connection.roundTrips - before == 3)
      }
    }
  }

  @Test("a queued write that fails fails the commit naming its SQL; nothing of the transaction is kept and the connection serves on")
  func failureAtCommit() async throws {
    try await Self.withTable { pool, table in
      try await pool.withConnection { connection in
        do {
          try await connection.transaction { connection in
            try await connection.execute("INSERT INTO \(unescaped: table) (n) VALUES (\(1))")
            try await connection.queue("INSERT INTO \(unescaped: table) (n) VALUES (\(-1))")
          }
          Issue.record("the commit succeeded with a row the check refuses")
        } catch let error as StoreError {
          #expect(error.code == .server)
          #expect(error.query?.contains("INSERT INTO") == true && error.query?.contains("VALUES") == true, "\(error)")
        }
        #expect(try await connection.query("SELECT 7").scalar(Int32.self) == 7)
      }
      #expect(try await Self.rows(pool, table) == nil)
    }
  }

  @Test("a failing queued write fails the statement it goes out with, and the transaction")
  func failureAtNextStatement() async throws {
    try await Self.withTable { pool, table in
      await #expect(throws: StoreError.self) {
        try await pool.transaction { connection in
          try await connection.queue("INSERT INTO \(unescaped: table) (n) VALUES (\(-1))")
          try await connection.queue("INSERT INTO \(unescaped: table) (n) VALUES (\(2))")
          try await connection.query("SELECT 1")
          Issue.record("the statement after a failing queued write succeeded")
        }
      }
      let left = try await Self.rows(pool, table)
      #expect(left == nil)
    }
  }

  @Test("a NUL in a queued write refuses the round trip it would go out with, naming the write; nothing is kept")
  func nulInQueuedWrite() async throws {
    try await Self.withTable { pool, table in
      try await pool.withConnection { connection in
        do {
          try await connection.transaction { connection in
            try await connection.queue("INSERT INTO \(unescaped: table) (n) SELECT length(\("a\u{0}b"))")
          }
          Issue.record("a value with a NUL was sent")
        } catch let error as StoreError {
          #expect(error.query?.hasPrefix("INSERT INTO") == true, "\(error)")
        }
        #expect(try await connection.query("SELECT 7").scalar(Int32.self) == 7)
      }
      #expect(try await Self.rows(pool, table) == nil)
    }
  }

  @Test("a transaction whose body throws never sends its queued writes")
  func bodyThrows() async throws {
    struct Boom: Error {}
    try await Self.withTable { pool, table in
      try await pool.withConnection { connection in
        let before = connection.roundTrips
        await #expect(throws: Boom.self) {
          try await connection.transaction { connection in
            try await connection.queue("INSERT INTO \(unescaped: table) (n) VALUES (\(1))")
            throw Boom()
          }
        }
        #expect(connection.roundTrips == before, "neither BEGIN, the write nor ROLLBACK went out")
      }
      #expect(try await Self.rows(pool, table) == nil)
    }
  }

  @Test("outside a transaction a queued write runs at once")
  func outsideTransaction() async throws {
    try await Self.withTable { pool, table in
      try await pool.withConnection { connection in
        try await connection.queue("INSERT INTO \(unescaped: table) (n) VALUES (\(1))")
        // Another connection sees it: it was sent and committed on its own.
        #expect(try await Self.rows(pool, table) == "{1}")
      }
    }
  }

  @Test("a transaction rerun after a serialization failure sends its queued writes once")
  func rerun() async throws {
    try await Self.withTable { pool, table in
      let attempts = Mutex(0)
      try await pool.transaction(isolation: .serializable) { connection in
        try await connection.queue("INSERT INTO \(unescaped: table) (n) VALUES (\(5))")
        let attempt = attempts.withLock { $0 += 1; return $0 }
        // The first attempt fails as a serialization failure would, its write still queued.
        if attempt == 1 { throw StoreError(code: .server, sqlState: "40001") }
      }
      #expect(attempts.withLock { $0 } == 2)
      #expect(try await Self.rows(pool, table) == "{5}")
    }
  }

  private static func withTable(_ body: (StorePool, String) async throws -> Void) async throws {
    let table = TestDatabase.tableName("queued")
    try await TestDatabase.withPool { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (n int NOT NULL CHECK (n > 0))")
      try await body(pool, table)
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }

  private static func rows(_ pool: StorePool, _ table: String) async throws -> String? {
    try await pool.query("SELECT array_agg(n ORDER BY n)::text FROM \(unescaped: table)").scalar(String?.self) ?? nil
  }
}
