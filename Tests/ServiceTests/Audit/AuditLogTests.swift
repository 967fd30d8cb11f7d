import CivicProtos
import CivicServices
import CivicStore
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Audit log", .timeLimit(.minutes(5)))
struct AuditLogTests {
  @Test("each mutation leaves exactly one entry naming account, method, object and request id; reads leave none")
  func oneEntryPerMutation() async throws {
    try await ServiceHarness.withServer { harness in
      var admin = Metadata.bearer(harness.adminToken)
      admin.addString("req-create-1", forKey: "x-request-id")
      let count = { try await harness.store.query("SELECT count(*) FROM audit_log").scalar(Int.self) ?? -1 }
      let start = try await count()
      let createGrid4 = { [admin] (name: String) in
        _ = try await harness.directory.createUnit(
          .with {
            $0.code = "QH-S2-C1-G4"
            $0.name = name
            $0.kind = .grid
            $0.parentCode = "QH-S2-C1"
          },
          metadata: admin
        )
      }
      try await createGrid4("Grid 4")
      #expect(try await count() == start + 1)
      _ = try await harness.directory.getUnit(.with { $0.code = "QH-S2-C1-G4" }, metadata: admin)
      _ = try await harness.directory.listUnits(.init(), metadata: admin)
      #expect(try await count() == start + 1)
      // A mutation refused inside its transaction (the unit exists: the INSERT fails there,
      // where the audit entry would be written) writes nothing either.
      let duplicate = await #expect(throws: RPCError.self) { try await createGrid4("Grid 4 again") }
      #expect(duplicate?.code == .alreadyExists)
      #expect(try await count() == start + 1)

      let listed = try await harness.audit.listAudit(.with { $0.object = "unit:QH-S2-C1-G4" }, metadata: admin)
      #expect(listed.entries.count == 1)
      let entry = try #require(listed.entries.first)
      #expect(entry.account == "admin")
      #expect(entry.method == "civicgrid.v1.Directory/CreateUnit")
      #expect(entry.requestID == "req-create-1")
      #expect(entry.summary == "created grid 'Grid 4' under QH-S2-C1")
      #expect(entry.hash.count == 32)

      let byAccount = try await harness.audit.listAudit(
        .with {
          $0.account = "admin"; $0.pageSize = 1000
        },
        metadata: admin
      )
      #expect(byAccount.entries.allSatisfy { $0.account == "admin" })
      #expect(byAccount.entries.count == 1)
      let future = try await harness.audit.listAudit(
        .with { $0.since = .init(seconds: entry.at.seconds + 3600, nanos: 0) },
        metadata: admin
      )
      #expect(future.entries.isEmpty)
    }
  }

  @Test("UPDATE, DELETE and TRUNCATE of audit_log are refused")
  func appendOnly() async throws {
    try await ServiceHarness.withServer { harness in
      for statement in ["UPDATE audit_log SET summary = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
        let error = await #expect(throws: StoreError.self) { try await harness.store.query(statement) }
        #expect(error?.sqlState == "42501", "\(statement)")
      }
    }
  }

  @Test("verify finds an edited, a deleted and a reordered entry, and the chain is intact again once restored")
  func tamperingIsDetected() async throws {
    try await ServiceHarness.withServer { harness in
      let auditor = Metadata.bearer(try await harness.token(for: "auditor"))
      let clean = try await harness.audit.verifyAudit(.init(), metadata: auditor)
      #expect(clean.intact)
      #expect(clean.entriesChecked > 10)

      /// Runs statements with the append-only trigger off, as someone with the database's
      /// superuser could, on this test's own throwaway database.
      func tamper(_ statements: [String]) async throws {
        try await harness.store.transaction { connection in
          try await connection.query("SET LOCAL session_replication_role = replica")
          for statement in statements { try await connection.query(statement) }
        }
      }
      func expectBrokenAt(_ seq: Int64, _ what: String) async throws {
        let result = try await harness.audit.verifyAudit(.init(), metadata: auditor)
        #expect(!result.intact, "\(what)")
        #expect(result.firstBrokenSeq == seq, "\(what): \(result.problem)")
      }

      try await tamper(["UPDATE audit_log SET summary = summary || '!' WHERE seq = 5"])
      try await expectBrokenAt(5, "edited")
      try await tamper(["UPDATE audit_log SET summary = left(summary, -1) WHERE seq = 5"])
      #expect(try await harness.audit.verifyAudit(.init(), metadata: auditor).intact)

      try await tamper([
        "CREATE TABLE audit_saved AS SELECT * FROM audit_log WHERE seq = 7", "DELETE FROM audit_log WHERE seq = 7",
      ])
      try await expectBrokenAt(8, "deleted")
      try await tamper(["INSERT INTO audit_log OVERRIDING SYSTEM VALUE SELECT * FROM audit_saved", "DROP TABLE audit_saved"])
      #expect(try await harness.audit.verifyAudit(.init(), metadata: auditor).intact)

      // seq is an identity column: swap everything else between entries 3 and 4.
      let swap3and4 = """
        UPDATE audit_log a SET at = b.at, account_id = b.account_id, account = b.account, method = b.method,
          object = b.object, summary = b.summary, request_id = b.request_id, prev_hash = b.prev_hash, hash = b.hash
        FROM audit_log b WHERE (a.seq, b.seq) IN ((3, 4), (4, 3))
        """
      try await tamper([swap3and4])
      try await expectBrokenAt(3, "reordered")
      try await tamper([swap3and4])
      #expect(try await harness.audit.verifyAudit(.init(), metadata: auditor).intact)

      let last = try await harness.store.query("SELECT max(seq) FROM audit_log").scalar(Int64.self) ?? 0
      try await tamper(["DELETE FROM audit_log WHERE seq = \(last)"])
      try await expectBrokenAt(last, "last entry removed")
    }
  }
}
