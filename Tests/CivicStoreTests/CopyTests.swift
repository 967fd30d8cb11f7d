import CivicStore
import Testing

@Suite("COPY FROM STDIN", .timeLimit(.minutes(1)))
struct CopyTests {
  static let hostile: [String?] = [
    "plain", "tab\there", "line\nbreak", "carriage\rreturn", "back\\slash", "\\N", nil, "", "催办 → 🙂", "trailing\\",
  ]

  @Test("hostile text, NULLs and numbers arrive as written, in the order given, and the count is returned")
  func roundTrip() async throws {
    let table = TestDatabase.tableName("copy")
    try await TestDatabase.withPool { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (id bigint GENERATED ALWAYS AS IDENTITY, t text, n bigint)")
      var rows = CopyRows(columns: 2)
      for (index, text) in Self.hostile.enumerated() { rows.append(text, index % 3 == 0 ? nil : Int64(index) * -1_000_000_007) }
      let written = try await pool.withConnection { connection in
        try await connection.copy("COPY \(unescaped: table) (t, n) FROM STDIN", rows)
      }
      #expect(written == Self.hostile.count && rows.count == Self.hostile.count)
      let stored = try await pool.query("SELECT t, n FROM \(unescaped: table) ORDER BY id").rows
      #expect(try stored.map { try $0.decode(String?.self, at: 0) } == Self.hostile)
      #expect(try stored.map { try $0.decode(Int64?.self, at: 1) } == Self.hostile.indices.map { $0 % 3 == 0 ? nil : Int64($0) * -1_000_000_007 })
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }

  @Test("a bad row fails the COPY with the server's message, writes no row, and leaves the connection usable")
  func badRowWritesNothing() async throws {
    let table = TestDatabase.tableName("copybad")
    try await TestDatabase.withPool(poolSize: 1) { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (n bigint NOT NULL)")
      var rows = CopyRows(columns: 1)
      rows.append(1)
      rows.append("seven")
      rows.append(3)
      let error = await #expect(throws: StoreError.self) {
        try await pool.withConnection { try await $0.copy("COPY \(unescaped: table) (n) FROM STDIN", rows) }
      }
      #expect(error?.sqlState == "22P02", "\(String(describing: error))")
      #expect(error?.serverMessage?.contains("seven") == true, "\(String(describing: error))")
      #expect(try await pool.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self) == 0)
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }

  @Test("inside a transaction the COPY is part of it: its rows go when the transaction rolls back")
  func insideTransaction() async throws {
    let table = TestDatabase.tableName("copytx")
    try await TestDatabase.withPool { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (n int)")
      var rows = CopyRows(columns: 1)
      rows.append(1)
      struct Boom: Error {}
      await #expect(throws: Boom.self) {
        try await pool.transaction { connection in
          // The first statement of the transaction: the queued BEGIN goes out before it.
          #expect(try await connection.copy("COPY \(unescaped: table) (n) FROM STDIN", rows) == 1)
          #expect(try await connection.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self) == 1)
          throw Boom()
        }
      }
      #expect(try await pool.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self) == 0)
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }

  @Test("a statement with values, or one that is not a COPY FROM STDIN, is refused before it runs")
  func refused() async throws {
    let table = TestDatabase.tableName("copynot")
    try await TestDatabase.withPool(poolSize: 1) { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (n int)")
      let rows = CopyRows(columns: 1)
      let withValue = await #expect(throws: StoreError.self) {
        try await pool.withConnection { try await $0.copy("COPY \(unescaped: table) (n) FROM STDIN WHERE n > \(1)", rows) }
      }
      #expect(withValue?.serverMessage?.contains("takes no parameters") == true)
      for statement: SQLQuery in ["INSERT INTO \(unescaped: table) VALUES (1)", "COPY \(unescaped: table) TO STDOUT"] {
        let notCopy = await #expect(throws: StoreError.self) {
          try await pool.withConnection { try await $0.copy(statement, rows) }
        }
        #expect(notCopy?.serverMessage?.contains("not a COPY FROM STDIN") == true, "\(statement.sql)")
      }
      let written = try await pool.query("SELECT count(*) FROM \(unescaped: table)").scalar(Int.self)
      #expect(written == 0, "the INSERT never ran; the connection still answers")
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }
}
