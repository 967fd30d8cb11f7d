/// What the application role (the role `civicgridd serve` connects as) may do in the schema:
/// the migrator grants exactly this after every run, as the role that owns the schema.
///
/// Every table gets SELECT, INSERT, UPDATE and DELETE, every sequence USAGE, unless
/// `tables` says otherwise. Nothing else: no TRUNCATE, REFERENCES or TRIGGER, no CREATE on
/// the schema, and ownership stays with the migration role, so the application role cannot
/// alter, disable or drop a trigger (docs/SECURITY.md, "Database roles").
///
/// The grant is recomputed from the catalogue after each run, rather than left to
/// `ALTER DEFAULT PRIVILEGES`, so that a table a later migration adds is covered by the same
/// rule and its exceptions here, whichever role created it, and so that a privilege granted
/// by hand in between is taken back.
public struct ApplicationPrivileges: Sendable {
  /// Privileges on every table not listed in `tables`.
  public var ordinaryTable: [String]
  /// Tables whose privileges differ from `ordinaryTable` (an empty list: none at all).
  public var tables: [String: [String]]

  /// The schema's rules: `audit_log` is append-only (SELECT and INSERT, and UPDATE of the
  /// three columns the sequencer seals; its trigger refuses any UPDATE but filling those
  /// once, and every DELETE and TRUNCATE); `audit_head` is read and moved by the sequencer
  /// (`SELECT … FOR UPDATE`, `UPDATE`); `civic_schema_migrations` is the migrator's.
  public static var defaults: Self {
    Self(
      ordinaryTable: ["SELECT", "INSERT", "UPDATE", "DELETE"],
      tables: [
        "audit_log": ["SELECT", "INSERT", "UPDATE (seq, prev_hash, hash)"],
        "audit_head": ["SELECT", "UPDATE"],
        "civic_schema_migrations": [],
      ]
    )
  }

  public init(ordinaryTable: [String], tables: [String: [String]]) {
    self.ordinaryTable = ordinaryTable
    self.tables = tables
  }

  /// Grants `role` these privileges on the connection's current schema, in one
  /// transaction; tables of `tables` that do not exist (yet) are skipped.
  func grant(to role: String, on connection: StoreConnection) async throws {
    // Identifiers cannot be bound: PostgreSQL quotes them.
    let names = try await connection.query(
      "SELECT quote_ident($1), quote_ident(coalesce(current_schema(), 'public'))", [role], prepare: false
    ).rows[0]
    let (quotedRole, schema) = try names.decode((String, String).self)
    var statements = [
      "GRANT USAGE ON SCHEMA \(schema) TO \(quotedRole)",
      "REVOKE ALL ON ALL TABLES IN SCHEMA \(schema) FROM \(quotedRole)",
      "REVOKE ALL ON ALL SEQUENCES IN SCHEMA \(schema) FROM \(quotedRole)",
      "GRANT \(self.ordinaryTable.joined(separator: ", ")) ON ALL TABLES IN SCHEMA \(schema) TO \(quotedRole)",
      "GRANT USAGE ON ALL SEQUENCES IN SCHEMA \(schema) TO \(quotedRole)",
    ]
    for (table, privileges) in self.tables.sorted(by: { $0.key < $1.key }) {
      let exists = try await connection.query(
        "SELECT to_regclass(quote_ident(coalesce(current_schema(), 'public')) || '.' || quote_ident($1)) IS NOT NULL",
        [table], prepare: false
      ).scalar(Bool.self)
      guard exists == true else { continue }
      let quoted = try await connection.query("SELECT quote_ident($1)", [table], prepare: false).scalar(String.self) ?? table
      statements.append("REVOKE ALL ON \(schema).\(quoted) FROM \(quotedRole)")
      if !privileges.isEmpty {
        statements.append("GRANT \(privileges.joined(separator: ", ")) ON \(schema).\(quoted) TO \(quotedRole)")
      }
    }
    // `ALL TABLES IN SCHEMA` reads the catalogue table by table without locking it, so a
    // table dropped meanwhile by someone else fails the statement (XX000 "cache lookup
    // failed for relation", or 42P01). The grant is idempotent: run it again.
    for attempt in 1...3 {
      do {
        try await Self.run(statements, on: connection)
        return
      } catch {
        let catalogueMoved = error.sqlState == "XX000" || error.sqlState == "42P01"
        if !catalogueMoved || attempt == 3 { throw error }
      }
    }
  }

  private static func run(_ statements: [String], on connection: StoreConnection) async throws(StoreError) {
    try await connection.command("BEGIN")
    do {
      for statement in statements { try await connection.command(statement) }
      try await connection.command("COMMIT")
    } catch {
      try? await connection.command("ROLLBACK")
      throw error
    }
  }
}
