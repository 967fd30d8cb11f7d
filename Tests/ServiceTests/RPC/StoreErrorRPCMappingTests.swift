import CivicServices
import CivicStore
import GRPCCore
import Testing

/// The store's failures as clients see them: one RPC code per store code and SQLSTATE
/// (moved here from CivicStoreTests with the mapping, which belongs to the RPC layer).
@Suite("StoreError as an RPC status", .timeLimit(.minutes(1)))
struct StoreErrorRPCMappingTests {
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

  @Test(
    "store codes map to one RPC code",
    arguments: [
      (StoreError.Code.unavailable, RPCError.Code.unavailable), (.connectionLost, .unavailable), (.poolClosed, .unavailable),
      (.deadlineExceeded, .deadlineExceeded), (.cancelled, .cancelled), (.decoding, .internalError),
    ]
  )
  func storeCodes(code: StoreError.Code, rpcCode: RPCError.Code) {
    #expect(StoreError(code: code).rpcErrorCode == rpcCode)
  }

  @Test("the RPC message leaks no value or SQL")
  func messageIsSafe() {
    let error = StoreError(
      code: .server,
      sqlState: "23505",
      serverMessage: "duplicate key value violates unique constraint",
      detail: "Key (email)=(secret@example.org) already exists.",
      query: "INSERT INTO people VALUES ($1)",
      constraint: "people_email"
    )
    #expect(error.rpcErrorCode == .alreadyExists)
    #expect(!error.rpcErrorMessage.contains("secret"))
    #expect(!error.rpcErrorMessage.contains("INSERT"))
    #expect(error.rpcErrorMessage.contains("people_email"))
  }
}
