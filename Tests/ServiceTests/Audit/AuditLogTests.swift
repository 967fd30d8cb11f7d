import CivicProtos
import CivicServices
import CivicStore
import CivicTestSupport
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Audit log", .timeLimit(.minutes(5)))
struct AuditLogTests {
  /// A request for a new grid unit under `parent`.
  static func grid(_ code: String, _ name: String, under parent: String) -> Civicgrid_V1_CreateUnitRequest {
    .with {
      $0.code = code
      $0.name = name
      $0.kind = .grid
      $0.parentCode = parent
    }
  }

  @Test("each mutation leaves exactly one entry naming account, method, object and request id; reads leave none")
  func oneEntryPerMutation() async throws {
    try await ServiceHarness.withServer { harness in
      var admin = Metadata.bearer(harness.adminToken)
      admin.addString("req-create-1", forKey: "x-request-id")
      let count = { try await harness.store.query("SELECT count(*) FROM audit_log").scalar(Int.self) ?? -1 }
      let start = try await count()
      let createGrid4 = { [admin] (name: String) in
        _ = try await harness.directory.createUnit(Self.grid("QH-S2-C1-G4", name, under: "QH-S2-C1"), metadata: admin)
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
        let error = await #expect(throws: StoreError.self) { try await harness.store.query(SQLQuery(unsafeSQL: statement)) }
        #expect(error?.sqlState == "42501", "\(statement)")
      }
    }
  }

  @Test(
    "the server's application role cannot disable, drop or bypass the append-only trigger, nor change entries; its writer appends",
    .enabled(if: TestDatabaseURLs.hasSeparateRoles, "needs CIVICGRID_MIGRATION_DATABASE_URL and CIVICGRID_DATABASE_URL as two roles (ops/test)")
  )
  func applicationRoleCannotTamper() async throws {
    try await ServiceHarness.withServer { harness in
      let session = try await harness.store.query("SELECT current_user::text, rolsuper FROM pg_roles WHERE rolname = current_user")
      let (role, superuser) = try session.rows[0].decode((String, Bool).self)
      #expect(!superuser, "the server's role \(role) must not be a superuser")
      let ownerRole = try await harness.owner.query("SELECT current_user::text").scalar(String.self)
      #expect(ownerRole != role)
      let before = try await harness.store.query("SELECT count(*) FROM audit_log").scalar(Int.self) ?? -1
      for statement in [
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_append_only ON audit_log",
        "DROP FUNCTION append_only_but_sequencing() CASCADE",
        "UPDATE audit_log SET summary = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "DROP TABLE audit_log",
        "DELETE FROM audit_head",
        "SET session_replication_role = replica",
        "CREATE TABLE audit_copy (seq bigint)",
      ] {
        let error = await #expect(throws: StoreError.self, "\(statement)") { try await harness.store.query(SQLQuery(unsafeSQL: statement)) }
        #expect(error?.sqlState == "42501", "\(statement): \(error.map { String(reflecting: $0) } ?? "")")
      }
      #expect(try await harness.store.query("SELECT count(*) FROM audit_log").scalar(Int.self) == before)
      let triggerEnabled = try await harness.owner.query(
        "SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'audit_log_append_only' AND tgrelid = 'audit_log'::regclass"
      ).scalar(String.self)
      #expect(triggerEnabled == "O")

      // The audit writer, as that role, appends (INSERT, and the head under FOR UPDATE).
      _ = try await harness.directory.createUnit(Self.grid("QH-S2-C1-G9", "Grid 9", under: "QH-S2-C1"), metadata: .bearer(harness.adminToken))
      #expect(try await harness.store.query("SELECT count(*) FROM audit_log").scalar(Int.self) == before + 1)
      let auditor = Metadata.bearer(try await harness.token(for: "auditor"))
      #expect(try await harness.audit.verifyAudit(.init(), metadata: auditor).intact)
    }
  }

  @Test("verify finds an edited, a deleted and a reordered entry, and the chain is intact again once restored")
  func tamperingIsDetected() async throws {
    try await ServiceHarness.withServer { harness in
      let auditor = Metadata.bearer(try await harness.token(for: "auditor"))
      let clean = try await harness.audit.verifyAudit(.init(), metadata: auditor)
      #expect(clean.intact)
      #expect(clean.entriesChecked > 10)

      /// Runs statements with the append-only trigger off, as the schema's owner (or a
      /// superuser) could, on this test's own throwaway database.
      func tamper(_ statements: [String]) async throws {
        try await harness.owner.transaction { connection in
          try await connection.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
          for statement in statements { try await connection.query(SQLQuery(unsafeSQL: statement)) }
          try await connection.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
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
