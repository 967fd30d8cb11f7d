import CivicStore
import Testing

@Suite("Migrations", .timeLimit(.minutes(1)))
struct MigrationTests {
  static let sample = [
    Migration(version: 1, name: "first", sql: "CREATE TABLE m_one (id int PRIMARY KEY);"),
    Migration(version: 2, name: "second", sql: "CREATE TABLE m_two (id int); INSERT INTO m_two VALUES (1), (2);"),
  ]

  @Test("the bundled migrations apply to a fresh database, and again as a no-op")
  func bundled() async throws {
    let migrations = try Migration.bundled()
    #expect(!migrations.isEmpty)
    #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
    try await TestDatabase.withScratchDatabase { configuration in
      try await TestDatabase.withPool(configuration) { pool in
        let migrator = Migrator(migrations: migrations, logger: TestDatabase.logger)
        #expect(try await migrator.migrate(pool) == migrations.map(\.version))
        #expect(try await migrator.migrate(pool) == [])
        let recorded = try await pool.query("SELECT count(*) FROM civic_schema_migrations").scalar(Int.self)
        #expect(recorded == migrations.count)
        // The audit log refuses changes (append-only trigger) to a row it holds.
        try await pool.query("INSERT INTO audit_log (method, object, summary) VALUES ('m', 'o', 's')")
        await expectStoreError(.server) { try await pool.query("DELETE FROM audit_log") }
        await expectStoreError(.server) { try await pool.query("UPDATE audit_log SET summary = 'x'") }
      }
    }
  }

  @Test("0008 refuses rectification rows from before rectifications were cases, naming them; without them it applies")
  func rectificationCasesRefuseOldRows() async throws {
    let migrations = try Migration.bundled()
    try await TestDatabase.withScratchDatabase { configuration in
      try await TestDatabase.withPool(configuration) { pool in
        try await Migrator(migrations: migrations.filter { $0.version <= 7 }, logger: TestDatabase.logger).migrate(pool)
        // A 0007 row; its references are beside the point here, so foreign keys are not enforced.
        try await pool.transaction { connection in
          try await connection.execute("SET LOCAL session_replication_role = replica")
          try await connection.execute(
            """
            INSERT INTO rectifications (rating_id, case_id, unit_id, unit_path, state, deadline, version, snapshot, opened_at)
            VALUES (1, 1, 1, '/X/', 'rectifying', now(), 2, '{}', now())
            """
          )
        }
        let refused = await expectStoreError(.server) {
          try await Migrator(migrations: migrations, logger: TestDatabase.logger).migrate(pool)
        }
        #expect(
          refused?.serverMessage?.contains("migration 0008: table rectifications has 1 rows") == true,
          "\(String(reflecting: refused))"
        )
        #expect(try await pool.query("SELECT max(version) FROM civic_schema_migrations").scalar(Int.self) == 7)
        try await pool.query("DELETE FROM rectifications")
        #expect(
          try await Migrator(migrations: migrations, logger: TestDatabase.logger).migrate(pool)
            == migrations.map(\.version).filter { $0 > 7 }
        )
        #expect(
          try await pool.query("SELECT status FROM catalog_item_versions WHERE item_code = 'RECTIFICATION'").scalar(String.self)
            == "retired"
        )
      }
    }
  }

  @Test("0009–0011 backfill rows from before them: indicator facts from events, warning rows of open cases, issued levels")
  func backfills() async throws {
    let migrations = try Migration.bundled()
    try await TestDatabase.withScratchDatabase { configuration in
      try await TestDatabase.withPool(configuration) { pool in
        try await Migrator(migrations: migrations.filter { $0.version <= 8 }, logger: TestDatabase.logger).migrate(pool)
        // Rows as 0008 left them; their references are beside the point, so foreign keys and
        // triggers are not enforced.
        try await pool.transaction { connection in
          try await connection.execute("SET LOCAL session_replication_role = replica")
          let orders = [
            (3, "listed", #"[{"unit":"A"},{"unit":"A"}]"#), (4, "listed", #"[{"unit":"A"},{"unit":"B"}]"#),
            (5, "ordinary", #"[{"unit":"A"}]"#),
          ]
          for (id, kind, open, tasks) in [(1, "serviceApplication", true, "[]"), (2, "serviceApplication", false, "[]")]
            + orders.map({ ($0.0, "supervisionOrder", true, $0.2) })
          {
            try await connection.execute(
              """
              INSERT INTO cases (id, kind, state, item_code, item_version, channel, applicant_name, unit_id, jurisdiction,
                is_open, version, snapshot)
              VALUES ($1, $2, 'accepted', 'X', 1, 'window', 'A', 1, 'CN', $3, 1, jsonb_build_object('tasks', $4::jsonb))
              """,
              [id, kind, open, tasks]
            )
          }
          for (kind, action, at) in [
            ("submitted", "", "2026-11-02 01:00+00"), ("stateChanged", "accept", "2026-11-02 02:00+00"),
            ("completed", "", "2026-11-04 09:30+00"),
          ] {
            try await connection.execute(
              """
              INSERT INTO case_events (case_id, kind, summary, at, by_party, case_state, case_version, item_code, unit_path, payload)
              VALUES (1, $1, '', $3::timestamptz, 'x', 'accepted', 1, 'X', '/X/',
                jsonb_build_object('kind', jsonb_build_object($1::text, jsonb_build_object('action', $2::text))))
              """,
              [kind, action, at]
            )
          }
          for (id, level, _) in orders {
            try await connection.execute(
              """
              INSERT INTO supervision_orders (case_id, level, title, requirement, reply_working_days, issued_by, issued_at)
              VALUES ($1, $2, 't', 'r', 3, 'x', now())
              """,
              [id, level]
            )
          }
        }
        try await Migrator(migrations: migrations, logger: TestDatabase.logger).migrate(pool)
        let facts = try await pool.query(
          """
          SELECT extract(epoch FROM decided_at)::bigint, accepted, extract(epoch FROM completed_at)::bigint,
            extract(epoch FROM last_event_at)::bigint, facts_version FROM cases WHERE id = 1
          """
        ).rows[0]
        #expect(try facts.decode(Int.self, at: 0) == 1_793_584_800)  // 2026-11-02 02:00 UTC
        #expect(try facts.decode(Bool.self, at: 1))
        #expect(try facts.decode(Int.self, at: 2) == 1_793_784_600)  // 2026-11-04 09:30 UTC
        #expect(try facts.decode(Int.self, at: 3) == 1_793_784_600)
        #expect(try facts.decode(Int.self, at: 4) == 0, "clock facts are read from the snapshot")
        let watched = try await pool.query("SELECT case_id, level, next_at = '-infinity' FROM case_warnings ORDER BY case_id").rows
        #expect(try watched.map { try $0.decode(Int.self, at: 0) } == [1, 3, 4, 5], "open cases only")
        #expect(try watched.allSatisfy { try $0.decode(String.self, at: 1) == "green" && $0.decode(Bool.self, at: 2) })
        let issued = try await pool.query("SELECT case_id, issued_level FROM supervision_orders ORDER BY case_id").rows
        #expect(try issued.map { try $0.decode(String.self, at: 1) } == ["ordinary", "listed", "ordinary"])
      }
    }
  }

  @Test("a changed applied file is refused and nothing newer is applied")
  func changedFileRefused() async throws {
    try await TestDatabase.withScratchDatabase { configuration in
      try await TestDatabase.withPool(configuration) { pool in
        try await Migrator(migrations: [Self.sample[0]], logger: TestDatabase.logger).migrate(pool)
        var edited = Self.sample
        edited[0].sql += "\n-- edited"
        do {
          try await Migrator(migrations: edited, logger: TestDatabase.logger).migrate(pool)
          Issue.record("a changed migration was accepted")
        } catch let error as MigrationError {
          #expect(error.kind == .changed)
          #expect(error.version == 1)
        }
        #expect(try await pool.query("SELECT to_regclass('m_two') IS NULL").scalar(Bool.self) == true)
        // A migration the build does not know is refused too.
        do {
          try await Migrator(migrations: [], logger: TestDatabase.logger).migrate(pool)
          Issue.record("an unknown applied migration was accepted")
        } catch let error as MigrationError {
          #expect(error.kind == .unknown)
        }
      }
    }
  }

  @Test("a failing migration leaves nothing behind")
  func failingMigrationRollsBack() async throws {
    try await TestDatabase.withScratchDatabase { configuration in
      try await TestDatabase.withPool(configuration) { pool in
        let broken = Migration(version: 3, name: "broken", sql: "CREATE TABLE m_three (id int); SELECT no_such_function();")
        await expectStoreError(.server) {
          try await Migrator(migrations: Self.sample + [broken], logger: TestDatabase.logger).migrate(pool)
        }
        let absent = try await pool.query("SELECT to_regclass('m_three') IS NULL").scalar(Bool.self)
        let latest = try await pool.query("SELECT max(version) FROM civic_schema_migrations").scalar(Int.self)
        #expect(absent == true)
        #expect(latest == 2)
      }
    }
  }

  @Test("two servers starting together migrate once")
  func concurrentStarters() async throws {
    // A slow first migration widens the window in which both starters race.
    var slow = Self.sample
    slow[0].sql += " SELECT pg_sleep(0.5);"
    let migrations = slow
    try await TestDatabase.withScratchDatabase { configuration in
      let results = try await withThrowingTaskGroup(of: [Int].self) { group in
        for _ in 0..<2 {
          group.addTask {
            try await TestDatabase.withPool(configuration) { pool in
              try await Migrator(migrations: migrations, logger: TestDatabase.logger).migrate(pool)
            }
          }
        }
        return try await group.reduce(into: [[Int]]()) { $0.append($1) }
      }
      #expect(results.sorted { $0.count < $1.count } == [[], [1, 2]])
      try await TestDatabase.withPool(configuration) { pool in
        let rows = try await pool.query("SELECT count(*) FROM m_two").scalar(Int.self)
        #expect(rows == 2)
      }
    }
  }
}
