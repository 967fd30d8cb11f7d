@testable import CivicStore
import Foundation
import Testing

@Suite("Pool and queries", .timeLimit(.minutes(1)))
struct StorePoolTests {
  @Test("never opens more connections than its size, and reuses them")
  func poolSize() async throws {
    let configuration = try TestDatabase.configuration(poolSize: 3)
    try await TestDatabase.withPool(configuration) { pool in
      let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
        for _ in 0..<24 {
          group.addTask {
            try await pool.query("SELECT pg_backend_pid(), pg_sleep(0.02)").rows[0].decode(Int32.self, at: 0)
          }
        }
        return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
      }
      #expect(pids.count <= 3)
      #expect(!pids.isEmpty)
      let open = try await pool.query(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", [configuration.applicationName]
      )
      #expect(try open.scalar(Int.self)! <= 3)
    }
  }

  @Test("decodes typed columns, NULL as nil, and by column name")
  func typedDecoding() async throws {
    try await TestDatabase.withPool { pool in
      let id = UUID()
      let instant = Date(timeIntervalSince1970: 1_790_000_000.123456)
      let bytes = SQLBytes([0, 1, 0x7f, 0x80, 0xff])
      let row = try await pool.query(
        """
        SELECT $1::int AS i, $2::bigint AS b, $3::text AS t, $4::boolean AS f, $5::float8 AS d,
               $6::uuid AS u, $7::timestamptz AS at, $8::bytea AS raw, NULL::text AS missing
        """,
        [42, Int64.max, "héllo", false, 2.5, id, instant, bytes]
      ).rows[0]
      #expect(try row.decode(Int.self, column: "i") == 42)
      #expect(try row.decode(Int64.self, at: 1) == Int64.max)
      #expect(try row.decode(String.self, column: "t") == "héllo")
      #expect(try row.decode(Bool.self, column: "f") == false)
      #expect(try row.decode(Double.self, column: "d") == 2.5)
      #expect(try row.decode(UUID.self, column: "u") == id)
      let decoded = try row.decode(Date.self, column: "at")
      #expect(abs(decoded.timeIntervalSince(instant)) < 0.000_002)
      #expect(try row.decode(SQLBytes.self, column: "raw") == bytes)
      #expect(try row.decode(String?.self, column: "missing") == nil)
      #expect(throws: StoreError.self) { try row.decode(String.self, column: "missing") }
      #expect(throws: StoreError.self) { try row.decode(Int.self, column: "t") }
    }
  }

  @Test("reports affected rows and reuses prepared statements")
  func affectedRows() async throws {
    let table = TestDatabase.tableName("affected")
    try await TestDatabase.withPool(poolSize: 1) { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (n int)")
      try await pool.withConnection { connection in
        for n in 0..<5 { try await connection.execute("INSERT INTO \(table) VALUES ($1)", [n]) }
        #expect(try await connection.execute("UPDATE \(table) SET n = n + 1 WHERE n >= $1", [2]) == 3)
        let prepared = try await connection.query(
          "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE $1", ["INSERT INTO \(table)%"]
        )
        #expect(try prepared.scalar(Int.self) == 1)
      }
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }

  @Test("waiters get a connection when one is returned")
  func waitersAreServed() async throws {
    try await TestDatabase.withPool(poolSize: 1) { pool in
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<6 {
          group.addTask { try await pool.query("SELECT pg_sleep(0.05)") }
        }
        try await group.waitForAll()
      }
    }
  }

  @Test("a closed pool refuses new work with UNAVAILABLE")
  func closedPool() async throws {
    let pool = StorePool(configuration: try TestDatabase.configuration(), logger: TestDatabase.logger)
    try await pool.query("SELECT 1")
    await pool.close()
    _ = await expectStoreError(.poolClosed) { try await pool.query("SELECT 1") }
  }

  @Test("a lease beyond the wait queue fails at once with poolExhausted; a queued lease leaves with its task (how a call's deadline ends its wait)")
  func boundedQueueAndCancelledWaiter() async throws {
    var configuration = try TestDatabase.configuration(poolSize: 1)
    configuration.poolQueueLimit = 1
    try await TestDatabase.withPool(configuration) { pool in
      let (leased, leasedSignal) = AsyncStream.makeStream(of: Void.self)
      let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
      try await withThrowingTaskGroup(of: Void.self) { holder in
        holder.addTask {
          try await pool.withConnection { _ in
            leasedSignal.yield()
            for await _ in release { break }
          }
        }
        for await _ in leased { break }
        let waiterCode: StoreError.Code? = await withTaskGroup(of: StoreError.Code?.self) { waiters in
          waiters.addTask {
            do {
              try await pool.query("SELECT 1")
              return nil
            } catch {
              return (error as? StoreError)?.code
            }
          }
          while pool.statistics.waiters < 1 { try? await Task.sleep(for: .milliseconds(1)) }
          _ = await expectStoreError(.poolExhausted) { try await pool.query("SELECT 1") }
          #expect(pool.statistics.waiters == 1, "the refused lease was never queued")
          waiters.cancelAll()
          return await waiters.next() ?? nil
        }
        #expect(waiterCode == .cancelled)
        #expect(pool.statistics.waiters == 0)
        releaseSignal.yield()
        releaseSignal.finish()
        try await holder.waitForAll()
      }
      try await pool.query("SELECT 1")
    }
  }
}
