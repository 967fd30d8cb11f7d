import CivicProtos
import CivicRepositories
@testable import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Logging
import Testing

/// Sequencing after commit (migration 0022, docs/STORE.md "Event and audit order"): writers
/// insert case events and audit entries unnumbered, under no shared lock; the one elected
/// `Sequencer` numbers them and seals the audit chain. Real PostgreSQL, real concurrency.
@Suite("Sequencer", .serialized, .timeLimit(.minutes(5)))
struct SequencerTests {
  static let logger = Logger(label: "servicetests.sequencer") { _ in SwiftLogNoOpLogHandler() }
  /// Generous: the machine is shared; a sequencer that stopped fails the test, slowly.
  static let patience: Duration = .seconds(60)

  @Test("8 concurrent writers × 6 applications each: events numbered 1…N once each, every case's events in its order, the chain intact")
  func concurrentWritersGapFree() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<8 {
          group.addTask { for _ in 0..<6 { _ = try await f.submitAndAccept() } }
        }
        try await group.waitForAll()
      }
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool, timeout: Self.patience))
      try #require(try await Sequencer.awaitSequenced(.auditLog, store: f.pool, timeout: Self.patience))
      try await Self.expectGapFree(f.pool)
      let cases = try await f.pool.query("SELECT count(*) FROM cases").scalar(Int.self)
      #expect(cases == 48)
      let verifier = try await AuditLog.verify(f.pool)
      #expect(verifier.isIntact, "\(verifier.breaks)")
      #expect(verifier.checked == (try await f.pool.query("SELECT count(*) FROM audit_log").scalar(Int64.self)))
    }
  }

  @Test("a subscriber following from a cursor while 4 writers run gets every later event once, in order")
  func subscriberMissesNothing() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      for _ in 0..<3 { _ = try await f.submitAndAccept() }
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool, timeout: Self.patience))
      let cursor = try #require(try await f.pool.query("SELECT max(seq) FROM case_events").scalar(Int64.self))
      let writer = DisconnectingWriter(budget: .max)
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          var request = Civicgrid_V1_WatchEventsRequest()
          request.after = cursor
          let watch = request
          _ = await rpcCode {
            try await f.call(f.partner) { try await f.cases.watchEvents(request: watch, response: RPCWriter(wrapping: writer), context: $0) }
          }
        }
        try await withThrowingTaskGroup(of: Void.self) { writers in
          for _ in 0..<4 {
            writers.addTask { for _ in 0..<5 { _ = try await f.submitAndAccept() } }
          }
          try await writers.waitForAll()
        }
        try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool, timeout: Self.patience))
        let last = try #require(try await f.pool.query("SELECT max(seq) FROM case_events").scalar(Int64.self))
        // Bounded wait for the stream to reach the last number (the feed's tick is 1 s).
        for _ in 0..<600 where (writer.events.last ?? cursor) < last { try await Task.sleep(for: .milliseconds(100)) }
        group.cancelAll()
        #expect(writer.events == Array((cursor + 1)...last))
      }
    }
  }

  @Test("the append-only triggers allow filling a NULL seq (and hashes) once, and refuse every other change")
  func triggerAllowsOneFill() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      _ = try await f.submitAndAccept()
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool, timeout: Self.patience))
      try #require(try await Sequencer.awaitSequenced(.auditLog, store: f.pool, timeout: Self.patience))
      let refused: [String] = [
        "UPDATE case_events SET seq = seq + 1000",
        "UPDATE case_events SET summary = 'x'",
        "DELETE FROM case_events",
        "TRUNCATE case_events",
        "UPDATE audit_log SET seq = seq + 1000",
        "UPDATE audit_log SET hash = prev_hash",
        "UPDATE audit_log SET summary = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
      ]
      for statement in refused {
        let error = await #expect(throws: StoreError.self, "\(statement)") { try await f.pool.query(SQLQuery(unsafeSQL: statement)) }
        #expect(error?.sqlState == "42501", "\(statement)")
      }
      // Inside one uncommitted transaction (rolled back), so the running sequencer cannot take the row first.
      var outcome: [String] = []
      do {
        try await f.pool.transaction { connection in
          var seen: [String] = []
          let id = try #require(
            try await connection.query("INSERT INTO audit_log (method, object, summary) VALUES ('test', 'o', 's') RETURNING id")
              .scalar(Int64.self)
          )
          let steps: [SQLQuery] = [
            "UPDATE audit_log SET summary = 'changed' WHERE id = \(id)",
            "UPDATE audit_log SET seq = 999999, prev_hash = '\\x00', hash = '\\x01', summary = 'changed' WHERE id = \(id)",
            "UPDATE audit_log SET seq = 999999, prev_hash = '\\x00', hash = '\\x01' WHERE id = \(id)",
            "UPDATE audit_log SET seq = 999998 WHERE id = \(id)",
            "DELETE FROM audit_log WHERE id = \(id)",
          ]
          for statement in steps {
            try await connection.query("SAVEPOINT step")
            do {
              try await connection.query(statement)
              seen.append("ok")
              try await connection.query("RELEASE SAVEPOINT step")
            } catch let error as StoreError {
              seen.append(error.sqlState ?? "?")
              try await connection.query("ROLLBACK TO SAVEPOINT step")
            }
          }
          throw Rollback(outcome: seen)
        }
      } catch let rollback as Rollback {
        outcome = rollback.outcome
      }
      #expect(outcome == ["42501", "42501", "ok", "42501", "42501"])
    }
  }

  @Test("verify detects an edit, a deletion and a reordering of entries written by concurrent writers")
  func chainDetectsTampering() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<6 { group.addTask { for _ in 0..<3 { _ = try await f.submitAndAccept() } } }
        try await group.waitForAll()
      }
      try #require(try await Sequencer.awaitSequenced(.auditLog, store: f.pool, timeout: Self.patience))
      #expect(try await AuditLog.verify(f.pool).isIntact)
      let owner = StorePool(configuration: try Self.ownerConfiguration(of: f.pool), logger: Self.logger)
      func tampered(_ statement: String) async throws -> AuditChain.Verifier {
        try await owner.transaction { connection in
          try await connection.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
          try await connection.query(SQLQuery(unsafeSQL: statement))
          try await connection.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        }
        return try await AuditLog.verify(f.pool)
      }
      let edited = try await tampered("UPDATE audit_log SET summary = summary || '!' WHERE seq = 10")
      #expect(edited.firstBreak?.seq == 10)
      _ = try await tampered("UPDATE audit_log SET summary = left(summary, -1) WHERE seq = 10")
      #expect(try await AuditLog.verify(f.pool).isIntact)
      // seq is unique: swap everything else between entries 20 and 21.
      let swap = """
        UPDATE audit_log a SET at = b.at, account_id = b.account_id, account = b.account, method = b.method,
          object = b.object, summary = b.summary, request_id = b.request_id, prev_hash = b.prev_hash, hash = b.hash
        FROM audit_log b WHERE (a.seq, b.seq) IN ((20, 21), (21, 20))
        """
      let reordered = try await tampered(swap)
      #expect(reordered.firstBreak?.seq == 20)
      _ = try await tampered(swap)
      #expect(try await AuditLog.verify(f.pool).isIntact)
      let deleted = try await tampered("DELETE FROM audit_log WHERE seq = 15")
      #expect(deleted.firstBreak?.seq == 16)
      await owner.close()
    }
  }

  @Test("when the leader's connection dies another sequencer takes over and numbers what was committed since")
  func takeover() async throws {
    try await CaseFixture.with(sequencer: false) { f in
      try await f.publishItem()
      try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<2 { group.addTask { try await Sequencer(store: f.pool, logger: Self.logger).compete() } }
        defer { group.cancelAll() }
        _ = try await f.submitAndAccept()
        try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool, timeout: Self.patience))
        let first = try #require(try await Self.leaderPID(f.pool))
        let ended = try await f.pool.query("SELECT pg_terminate_backend(\(first))").scalar(Bool.self)
        #expect(ended == true)
        for _ in 0..<3 { _ = try await f.submitAndAccept() }
        try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool, timeout: Self.patience))
        try #require(try await Sequencer.awaitSequenced(.auditLog, store: f.pool, timeout: Self.patience))
        let second = try #require(try await Self.leaderPID(f.pool))
        #expect(second != first)
        try await Self.expectGapFree(f.pool)
        #expect(try await AuditLog.verify(f.pool).isIntact)
      }
    }
  }

  @Test("rows committed while no sequencer runs (it was killed) are all numbered once one starts again; nothing lost")
  func crashBetweenCommitAndSequencing() async throws {
    try await CaseFixture.with(sequencer: false) { f in
      try await f.publishItem()
      // One sequencer runs, numbers the first writes, and is killed.
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await Sequencer(store: f.pool, logger: Self.logger).compete() }
        _ = try await f.submitAndAccept()
        try #require(try await Sequencer.awaitSequenced(.auditLog, store: f.pool, timeout: Self.patience))
        group.cancelAll()
      }
      let before = try await Self.counts(f.pool)
      for _ in 0..<5 { _ = try await f.submitAndAccept() }
      let waiting = try await Self.counts(f.pool)
      #expect(waiting.events > before.events && waiting.audit > before.audit)
      #expect(waiting.numberedEvents == before.numberedEvents && waiting.sealedAudit == before.sealedAudit)
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await Sequencer(store: f.pool, logger: Self.logger).compete() }
        defer { group.cancelAll() }
        try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool, timeout: Self.patience))
        try #require(try await Sequencer.awaitSequenced(.auditLog, store: f.pool, timeout: Self.patience))
      }
      let after = try await Self.counts(f.pool)
      #expect(after.numberedEvents == waiting.events && after.sealedAudit == waiting.audit)
      try await Self.expectGapFree(f.pool)
      #expect(try await AuditLog.verify(f.pool).isIntact)
    }
  }

  @Test("a numbering transaction with events and audit entries waiting makes four round trips, and numbers and seals them all")
  func batchRoundTrips() async throws {
    try await CaseFixture.with(sequencer: false) { f in
      try await f.publishItem()
      let sequencer = Sequencer(store: f.pool, logger: Self.logger)
      _ = try await f.submitAndAccept()
      let first = try await Self.counts(f.pool)
      let trips = try await f.pool.withDedicatedConnection(applicationName: "test-sequencer") { connection in
        // A first batch prepares the statements on this connection.
        _ = try await sequencer.sequenceBatch(on: connection)
        for _ in 0..<2 { _ = try await f.submitAndAccept() }
        let before = connection.roundTrips
        let numbered = try await sequencer.sequenceBatch(on: connection)
        let waiting = try await Self.counts(f.pool)
        #expect(numbered == max(waiting.events - first.events, waiting.audit - first.audit))
        return connection.roundTrips - before
      }
      // BEGIN, the batch lock and the numbering; the feed's notice and the unsealed entries;
      // the chain head, locked; the seals, the head's move and COMMIT.
      #expect(trips == 4)
      let after = try await Self.counts(f.pool)
      #expect(after.events > first.events && after.audit > first.audit)
      #expect(after.numberedEvents == after.events && after.sealedAudit == after.audit)
      try await Self.expectGapFree(f.pool)
      #expect(try await AuditLog.verify(f.pool).isIntact)
    }
  }

  // MARK: - Helpers

  /// Rolls back a transaction while handing out what it saw.
  struct Rollback: Error { var outcome: [String] }

  /// Every event numbered 1…count once, and each case's events numbered in insertion order.
  static func expectGapFree(_ pool: StorePool) async throws {
    let numbers = try await pool.query("SELECT seq FROM case_events ORDER BY seq").rows.map { try $0.decode(Int64?.self, at: 0) }
    #expect(!numbers.isEmpty)
    #expect(numbers == (1...Int64(numbers.count)).map { Optional($0) })
    let outOfOrder = try await pool.query(
      "SELECT count(*) FROM (SELECT seq, lag(seq) OVER (PARTITION BY case_id ORDER BY id) AS before FROM case_events) e WHERE before > seq"
    ).scalar(Int.self)
    #expect(outOfOrder == 0)
  }

  static func counts(_ pool: StorePool) async throws -> (events: Int, numberedEvents: Int, audit: Int, sealedAudit: Int) {
    let row = try await pool.query(
      """
      SELECT (SELECT count(*) FROM case_events), (SELECT count(seq) FROM case_events),
        (SELECT count(*) FROM audit_log), (SELECT count(seq) FROM audit_log)
      """
    ).rows[0]
    let (events, numbered, audit, sealed) = try row.decode((Int, Int, Int, Int).self)
    return (events, numbered, audit, sealed)
  }

  /// The backend holding this database's sequencer leader lock, if any.
  static func leaderPID(_ pool: StorePool) async throws -> Int32? {
    try await pool.query(
      """
      SELECT pid FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::bigint = 0 AND objid::bigint = \(SequencerRepository.leaderLock)
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      """
    ).scalar(Int32.self)
  }

  static func ownerConfiguration(of pool: StorePool) throws -> StoreConfiguration {
    try ServiceHarness.storeConfiguration(database: pool.configuration.database, poolSize: 2, owner: true)
  }
}
