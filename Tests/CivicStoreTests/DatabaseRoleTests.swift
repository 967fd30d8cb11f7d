import CivicStore
import CivicTestSupport
import Foundation
import Testing

/// The two roles (docs/SECURITY.md, "Database roles"): the migrator, as the owner, grants the
/// application role exactly `ApplicationPrivileges.defaults`; as that role everything the store
/// relies on works and nothing that could rewrite the audit log does.
@Suite(
  "Database roles", .timeLimit(.minutes(2)),
  .enabled(if: TestDatabaseURLs.hasSeparateRoles, "needs CIVICGRID_MIGRATION_DATABASE_URL and CIVICGRID_DATABASE_URL as two roles (ops/test)")
)
struct DatabaseRoleTests {
  /// A scratch database migrated by the owner for the application role; `body` gets pools as both.
  func withMigrated(_ body: (_ owner: StorePool, _ application: StorePool, _ role: String) async throws -> Void) async throws {
    try await TestDatabase.withScratchDatabase { ownerConfiguration in
      let name = try #require(ownerConfiguration.database)
      try await TestDatabase.withPool(ownerConfiguration) { owner in
        try await TestDatabase.withPool(try TestDatabase.configuration(poolSize: 2, database: name, role: .application)) { application in
          let role = try #require(try await application.query("SELECT current_user::text").scalar(String.self))
          try await Migrator(migrations: try Migration.bundled(), logger: TestDatabase.logger, applicationRole: role).migrate(owner)
          try await body(owner, application, role)
        }
      }
    }
  }

  /// The application role's privileges on each table of public, as the catalogue has them.
  static func grants(_ role: String, on owner: StorePool) async throws -> [String: [String]] {
    let rows = try await owner.query(
      """
      SELECT c.relname::text,
        coalesce((SELECT string_agg(a.privilege_type, ',' ORDER BY a.privilege_type) FROM aclexplode(c.relacl) a
          WHERE a.grantee = to_regrole($1)), '')
      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1
      """,
      [role]
    )
    var grants: [String: [String]] = [:]
    for row in rows.rows {
      let (table, privileges) = try row.decode((String, String).self)
      grants[table] = privileges.isEmpty ? [] : privileges.split(separator: ",").map(String.init)
    }
    return grants
  }

  @Test("the application role is no superuser and owns nothing; it has exactly the defaults on every table and USAGE on every sequence")
  func exactGrants() async throws {
    try await self.withMigrated { owner, application, role in
      let attributes = try await application.query(
        "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication FROM pg_roles WHERE rolname = current_user"
      ).scalar(Bool.self)
      #expect(attributes == false, "no SUPERUSER, CREATEROLE, CREATEDB, BYPASSRLS or REPLICATION")
      #expect(try await owner.query("SELECT current_user::text").scalar(String.self) != role)
      let owned = try await owner.query(
        "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relowner = to_regrole($1)", [role]
      ).scalar(Int.self)
      #expect(owned == 0)

      let grants = try await Self.grants(role, on: owner)
      #expect(grants.count > 20)
      let defaults = ApplicationPrivileges.defaults
      for (table, privileges) in grants {
        // Column privileges (audit_log's sealed columns) are checked below, not in the table's ACL.
        let expected = (defaults.tables[table] ?? defaults.ordinaryTable).filter { !$0.contains("(") }.sorted()
        #expect(privileges == expected, "\(table)")
      }
      #expect(grants["audit_log"] == ["INSERT", "SELECT"])
      #expect(grants["audit_head"] == ["SELECT", "UPDATE"])
      // The sequencer, as the application role, fills seq and the hashes, and no other column.
      let columns = try await owner.query(
        """
        SELECT a.attname::text FROM pg_attribute a
        WHERE a.attrelid = 'audit_log'::regclass AND a.attnum > 0 AND NOT a.attisdropped
          AND has_column_privilege(\(role), 'audit_log'::regclass, a.attnum, 'UPDATE')
        ORDER BY 1
        """
      ).rows.map { try $0.decode(String.self, at: 0) }
      #expect(columns == ["hash", "prev_hash", "seq"])
      #expect(grants["civic_schema_migrations"] == [])
      let sequences = try await owner.query(
        """
        SELECT count(*) FILTER (WHERE NOT has_sequence_privilege($1, c.oid, 'USAGE')),
          count(*) FILTER (WHERE has_sequence_privilege($1, c.oid, 'UPDATE'))
        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S'
        """,
        [role]
      ).rows[0]
      let (withoutUsage, withUpdate) = try sequences.decode((Int, Int).self)
      #expect(withoutUsage == 0)
      #expect(withUpdate == 0)
      #expect(try await application.query("SELECT has_schema_privilege('public', 'CREATE')").scalar(Bool.self) == false)
    }
  }

  @Test(
    "as the application role, the audit log's trigger cannot be disabled or dropped and entries cannot change",
    arguments: [
      "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
      "ALTER TABLE audit_log DISABLE TRIGGER ALL",
      "DROP TRIGGER audit_log_append_only ON audit_log",
      "CREATE OR REPLACE FUNCTION append_only_but_sequencing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
      "UPDATE audit_log SET summary = 'x'",
      "DELETE FROM audit_log",
      "TRUNCATE audit_log",
      "DROP TABLE audit_log",
      "ALTER TABLE audit_log OWNER TO CURRENT_USER",
      "SET session_replication_role = replica",
      "DELETE FROM audit_head",
      "TRUNCATE units",
      "INSERT INTO civic_schema_migrations (version, name, checksum) VALUES (9999, 'x', 'x')",
      "CREATE TABLE sneaky (id int)",
    ]
  )
  func refused(_ statement: String) async throws {
    try await self.withMigrated { owner, application, _ in
      let error = await expectStoreError(.server) { try await application.query(SQLQuery(unsafeSQL: statement)) }
      #expect(error?.sqlState == "42501", "\(error.map { String(reflecting: $0) } ?? "")")
      let trigger = try await owner.query(
        "SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'audit_log_append_only' AND tgrelid = 'audit_log'::regclass"
      ).scalar(String.self)
      #expect(trigger == "O")
    }
  }

  @Test("as the application role: appending to the audit log, advisory locks, LISTEN/NOTIFY, statement_timeout, temporary tables, sequences")
  func whatTheStoreNeedsWorks() async throws {
    try await self.withMigrated { _, application, _ in
      try await application.transaction(deadline: .now + .seconds(5)) { connection in
        let head = try await connection.query("SELECT seq FROM audit_head FOR UPDATE").scalar(Int64.self) ?? -1
        try await connection.query(
          """
          INSERT INTO audit_log (seq, at, account_id, account, method, object, summary, request_id, prev_hash, hash)
          OVERRIDING SYSTEM VALUE VALUES ($1, now(), NULL, '', 'test', 'test:1', 'appended', '', '\\x00', '\\x00')
          """,
          [head + 1]
        )
        try await connection.query("UPDATE audit_head SET seq = $1", [head + 1])
        try await connection.query("SELECT pg_advisory_xact_lock(42)")
        try await connection.query("SELECT set_config('statement_timeout', '2000', true)")
        try await connection.query("CREATE TEMPORARY TABLE scratch (n int) ON COMMIT DROP")
        try await connection.query("INSERT INTO scratch VALUES (1)")
        try await connection.query("SELECT nextval(pg_get_serial_sequence('cases', 'id'))")
        try await connection.query("SELECT pg_notify('civic_role_test', 'x')")
      }
      #expect(try await application.query("SELECT count(*) FROM audit_log WHERE object = 'test:1'").scalar(Int.self) == 1)
      #expect(try await application.query("SELECT pg_try_advisory_lock(43)").scalar(Bool.self) == true)
      try await application.query("SELECT pg_advisory_unlock_all()")
      let received = try await application.withNotifications(channels: ["civic_role_test"]) { stream in
        try await application.query("SELECT pg_notify('civic_role_test', 'hello')")
        for await note in stream { return note.payload }
        return ""
      }
      #expect(received == "hello")
    }
  }

  @Test("a later migration's table gets the same grants, and a privilege granted by hand is taken back at the next run")
  func regrantedAfterEveryRun() async throws {
    try await self.withMigrated { owner, application, role in
      let later = Migration(version: 9000, name: "later", sql: "CREATE TABLE later_things (id bigserial PRIMARY KEY, note text);")
      let quoted = try #require(try await owner.query("SELECT quote_ident($1)", [role]).scalar(String.self))
      try await owner.query("GRANT TRUNCATE, TRIGGER ON audit_log TO \(unescaped: quoted)")
      let migrator = Migrator(migrations: try Migration.bundled() + [later], logger: TestDatabase.logger, applicationRole: role)
      #expect(try await migrator.migrate(owner) == [9000])
      let grants = try await Self.grants(role, on: owner)
      #expect(grants["later_things"] == ["DELETE", "INSERT", "SELECT", "UPDATE"])
      #expect(grants["audit_log"] == ["INSERT", "SELECT"])
      try await application.query("INSERT INTO later_things (note) VALUES ('x')")
      await expectStoreError(.server) { try await application.query("TRUNCATE audit_log") }
    }
  }
}
