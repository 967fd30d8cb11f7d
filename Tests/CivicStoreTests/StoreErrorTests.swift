import CivicStore
import GRPCCore
import Testing

@Suite("StoreError", .timeLimit(.minutes(1)))
struct StoreErrorTests {
  @Test("description leaks no SQL or values; debugDescription has them")
  func descriptionIsSafe() async throws {
    let table = TestDatabase.tableName("uniq")
    try await TestDatabase.withPool(poolSize: 1) { pool in
      try await pool.query("CREATE TABLE \(unescaped: table) (email text CONSTRAINT \(unescaped: table)_email UNIQUE)")
      try await pool.query("INSERT INTO \(table) VALUES ($1)", ["secret@example.org"])
      let error = await expectStoreError(.server) {
        try await pool.query("INSERT INTO \(table) VALUES ($1)", ["secret@example.org"])
      }
      let unwrapped = try #require(error)
      #expect(unwrapped.sqlState == "23505")
      #expect(unwrapped.rpcErrorCode == .alreadyExists)
      #expect(!unwrapped.description.contains("secret"))
      #expect(!unwrapped.description.contains("INSERT"))
      #expect(!unwrapped.rpcErrorMessage.contains("secret"))
      #expect(unwrapped.debugDescription.contains("secret@example.org"))
      #expect(unwrapped.debugDescription.contains("INSERT INTO"))
      try await pool.query("DROP TABLE \(unescaped: table)")
    }
  }

  @Test(
    "SQLSTATE maps to one RPC code",
    arguments: [
      ("40001", RPCError.Code.aborted), ("40P01", .aborted), ("23505", .alreadyExists), ("23503", .failedPrecondition),
      ("22P02", .invalidArgument), ("08006", .unavailable), ("57P01", .unavailable), ("42601", .internalError),
    ]
  )
  func mapping(sqlState: String, code: RPCError.Code) {
    #expect(StoreError(code: .server, sqlState: sqlState).rpcErrorCode == code)
    #expect(RPCError(StoreError(code: .server, sqlState: sqlState)).code == code)
  }
}
