import CivicStore
import CivicTestSupport
import Foundation
import Testing

@Suite("Cancellation, broken connections, PostgreSQL down", .timeLimit(.minutes(2)))
struct ConnectionFailureTests {
  @Test("cancelling the task cancels the running query (PQcancel)")
  func cancellation() async throws {
    let configuration = try TestDatabase.configuration(poolSize: 1)
    try await TestDatabase.withPool(configuration) { pool in
      let sleeper = Task { try await pool.query("SELECT pg_sleep(30)") }
      // Wait until the statement really runs on the server, then cancel the task.
      let running = try await TestDatabase.waitUntilRunning(applicationName: configuration.applicationName)
      #expect(running)
      sleeper.cancel()
      let error = await expectStoreError(.cancelled) { _ = try await sleeper.value }
      // 57014 (query_canceled) comes only from a cancel that reached the server.
      #expect(error?.sqlState == "57014")
      // The same (only) connection serves the next call.
      #expect(try await pool.query("SELECT 1").scalar(Int.self) == 1)
    }
  }

  @Test("idle connections terminated by the server are replaced transparently")
  func reconnectAfterTerminate() async throws {
    let configuration = try TestDatabase.configuration(poolSize: 2)
    try await TestDatabase.withPool(configuration) { pool in
      // Open both connections.
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<2 { group.addTask { try await pool.query("SELECT pg_sleep(0.1)") } }
        try await group.waitForAll()
      }
      let before = Set(pool.idleBackendPIDs)
      #expect(before.count == 2)
      try await TestDatabase.withPool(poolSize: 1) { admin in
        let terminated = try await admin.query(
          // In the select list, so only the filtered rows' backends are terminated.
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
          [configuration.applicationName]
        )
        #expect(try terminated.scalar(Int.self) == 2)
        let gone = try await eventually {
          try await admin.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", [configuration.applicationName])
            .scalar(Int.self) == 0
        }
        #expect(gone)
        // Leaving pg_stat_activity precedes the process exit that closes the socket: wait
        // for the processes themselves to be gone (ESRCH), so the pool's sockets are closed.
        let exited = try await eventually { before.allSatisfy { kill(pid_t($0), 0) == -1 && errno == ESRCH } }
        #expect(exited)
      }
      do {
        let pid = try await pool.query("SELECT pg_backend_pid()").scalar(Int32.self)
        #expect(pid != nil && !before.contains(pid!))
      } catch {
        Issue.record("after terminate: \(String(reflecting: error))")
      }
    }
  }

  @Test("a connection broken mid-query fails UNAVAILABLE and is replaced")
  func terminatedWhileRunning() async throws {
    let configuration = try TestDatabase.configuration(poolSize: 1)
    try await TestDatabase.withPool(configuration) { pool in
      async let killer: Void = TestDatabase.withPool(poolSize: 1) { admin in
        _ = try await eventually {
          try await admin.query(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'",
            [configuration.applicationName]
          ).scalar(Int.self) == 1
        }
      }
      _ = await expectStoreError(.connectionLost) { try await pool.query("SELECT pg_sleep(30)") }
      try await killer
      #expect(try await pool.query("SELECT 1").scalar(Int.self) == 1)
    }
  }

  @Test("nothing listening: calls fail fast with UNAVAILABLE")
  func closedPort() async throws {
    let port = closedLoopbackPort()
    // A connect timeout far beyond the suite's time limit: a call that waited for it would
    // fail by the time limit, so each call's ending at all shows it did not wait; its
    // message shows the refusal ended it.
    let configuration = StoreConfiguration(
      connectionString: "postgresql://postgres@127.0.0.1:\(port)/postgres", poolSize: 2, connectTimeout: .seconds(3600)
    )
    try await TestDatabase.withPool(configuration) { pool in
      for _ in 0..<3 {
        let error = await expectStoreError(.unavailable) { try await pool.query("SELECT 1") }
        #expect(error.map { String(reflecting: $0) }?.contains("Connection refused") == true, "\(error.map { String(reflecting: $0) } ?? "")")
        // The description names no host, SQL or value: safe for clients and logs.
        #expect(error.map { "\($0)" } == "StoreError(code: unavailable)")
      }
    }
  }

  @Test("PostgreSQL stopped: UNAVAILABLE, and service resumes once it is back")
  func stoppedAndRestarted() async throws {
    _ = try TestDatabase.configuration()  // the suite's precondition, for a clear message
    let cluster = ThrowawayCluster(port: closedLoopbackPort())
    defer { cluster.destroy() }
    try cluster.start()
    let configuration = StoreConfiguration(connectionString: cluster.url, poolSize: 2, connectTimeout: .seconds(2))
    try await TestDatabase.withPool(configuration) { pool in
      #expect(try await pool.query("SELECT 1").scalar(Int.self) == 1)
      try cluster.stop()
      for _ in 0..<2 {
        _ = await expectStoreError(.unavailable) { try await pool.query("SELECT 1") }
      }
      try cluster.start()
      let back = try await eventually { (try? await pool.query("SELECT 1").scalar(Int.self)) == 1 }
      #expect(back)
    }
  }
}
