import CivicStore
import CivicTestSupport
import Foundation
import Logging
import Testing

/// The migrated template the service fixtures copy: the same schema as the real migrations
/// make from empty, one name per content, and safe to make from several places at once.
@Suite(
  "Migrated template database", .serialized, .timeLimit(.minutes(5)),
  .enabled(if: TestDatabaseURLs.application != nil, "needs CIVICGRID_DATABASE_URL (ops/test)")
)
struct MigratedTemplateTests {
  static let logger = ServiceHarness.logger

  @Test("a copy of the template has the schema, grants, rows and migration records the real migrations make from empty")
  func copyEqualsMigrationsFromEmpty() async throws {
    let bundled = try Migration.bundled()
    let fromEmpty = try await ScratchDatabase.with(prefix: "civictpltest_empty", poolSize: 1, logger: Self.logger) { pool, configuration in
      // The real migrations, from empty, granting the application role of `pool`.
      try await ScratchDatabase.migrate(pool, database: configuration.database ?? "", logger: Self.logger)
      return try await Self.catalogue(database: configuration.database ?? "")
    }
    let copied = try await ScratchDatabase.with(prefix: "civictpltest_copy", poolSize: 1, migrated: true, logger: Self.logger) {
      _, configuration in
      try await Self.catalogue(database: configuration.database ?? "")
    }
    #expect(bundled.allSatisfy { fromEmpty.contains("migration \($0.version) \($0.name) ") })
    #expect(fromEmpty.contains("acl "))
    #expect(copied == fromEmpty)
  }

  @Test("the name is stable for the same content and changes with a migration's text or the role")
  func nameFollowsContent() throws {
    let migrations = [Migration(version: 1, name: "a", sql: "CREATE TABLE t (x int);"), Migration(version: 2, name: "b", sql: "SELECT 1;")]
    let base = MigratedTemplate.name(hashing: MigratedTemplate.contentParts(migrations: migrations, applicationRole: "app"))
    #expect(base == MigratedTemplate.name(hashing: MigratedTemplate.contentParts(migrations: migrations.reversed(), applicationRole: "app")))
    var edited = migrations
    edited[1].sql = "SELECT 2;"
    #expect(base != MigratedTemplate.name(hashing: MigratedTemplate.contentParts(migrations: edited, applicationRole: "app")))
    #expect(base != MigratedTemplate.name(hashing: MigratedTemplate.contentParts(migrations: migrations, applicationRole: "other")))
    // Text moved from one part to the next is another content.
    #expect(MigratedTemplate.name(hashing: ["ab", "c"]) != MigratedTemplate.name(hashing: ["a", "bc"]))
    // A plain identifier PostgreSQL keeps as written: lower-case hex, within 63 bytes with a build suffix.
    #expect(base.count == "civictpl_".count + 16)
    #expect(base.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
  }

  @Test("makers racing on one new template end with one complete template, no leftovers, closed to connections")
  func concurrentMakersSettleOnOne() async throws {
    let salt = UUID().uuidString
    let names = try await withThrowingTaskGroup(of: String.self) { group in
      for _ in 0..<3 { group.addTask { try await MigratedTemplate.make(salt: salt, logger: Self.logger) } }
      return try await group.reduce(into: Set<String>()) { $0.insert($1) }
    }
    #expect(names.count == 1)
    let name = try #require(names.first)
    let admin = StorePool(configuration: try ServiceHarness.storeConfiguration(poolSize: 1, owner: true), logger: Self.logger)
    do {
      let rows = try await admin.query(
        "SELECT datname::text, datallowconn FROM pg_database WHERE datname LIKE \(name + "%") ORDER BY datname"
      ).rows.map { try $0.decode((String, Bool).self) }
      #expect(rows.map(\.0) == [name], "one template and no half-made copy left")
      #expect(rows.first?.1 == false, "nobody may connect to a template")
      // Copies made at once from it all work.
      let copies = (0..<3).map { _ in "civictpltest_\(UUID().uuidString.prefix(8).lowercased())" }
      try await withThrowingTaskGroup(of: Void.self) { group in
        for copy in copies { group.addTask { _ = try await admin.query("CREATE DATABASE \(unescaped: copy) TEMPLATE \(unescaped: name)") } }
        try await group.waitForAll()
      }
      for copy in copies {
        let pool = StorePool(configuration: try ServiceHarness.storeConfiguration(database: copy, poolSize: 1, owner: true), logger: Self.logger)
        let count = try await pool.query("SELECT count(*)::int FROM civic_schema_migrations").scalar(Int.self)
        await pool.close()
        #expect(count == (try Migration.bundled().count))
        try await ScratchDatabase.drop(copy, admin: admin)
      }
      try await admin.query("DROP DATABASE \(unescaped: name)")
      await admin.close()
    } catch {
      _ = try? await admin.query("DROP DATABASE IF EXISTS \(unescaped: name)")
      await admin.close()
      throw error
    }
  }

  /// One line per column, index, constraint, trigger, function, table privilege list, table row
  /// count and migration record of the public schema, sorted.
  static func catalogue(database: String) async throws -> String {
    let pool = StorePool(configuration: try ServiceHarness.storeConfiguration(database: database, poolSize: 1, owner: true), logger: Self.logger)
    do {
      let text = try await pool.query(
        """
        SELECT string_agg(line, E'\\n' ORDER BY line) FROM (
          SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public'
          UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
          UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
          UNION ALL SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname || ' ' || pg_get_triggerdef(oid)
            FROM pg_trigger WHERE NOT tgisinternal
          UNION ALL SELECT 'function ' || oid::regprocedure::text || ' ' || md5(pg_get_functiondef(oid))
            FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prokind IN ('f', 'p')
          UNION ALL SELECT 'acl ' || relname || ' ' || coalesce(relacl::text, '') FROM pg_class WHERE relnamespace = 'public'::regnamespace
          UNION ALL SELECT 'rows ' || relname || ' '
              || (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM public.%I', relname), false, true, '')))[1]::text
            FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
          UNION ALL SELECT 'migration ' || version || ' ' || name || ' ' || checksum FROM civic_schema_migrations
        ) AS lines (line)
        """
      ).scalar(String.self)
      await pool.close()
      return text ?? ""
    } catch {
      await pool.close()
      throw error
    }
  }
}
