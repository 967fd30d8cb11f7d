import CivicDomain
import CivicRepositories
import CivicStore
import SwiftProtobuf

/// The idempotency key of a request that creates a case (SubmitApplication, IssueOrder).
///
/// `case_idempotency_keys` holds at most one case per (account, key), its primary key, with the
/// SHA-256 of the request it was first used for: the same request again gets that case back,
/// a different request under the key is FAILED_PRECONDITION. Each method hashes its own name
/// with the request, so a key reused across methods never matches.
struct CaseIdempotencyKey: Sendable {
  let accountID: Int64
  let key: String
  /// The request's content without its key, as text; the database hashes it.
  let request: String

  /// The key a request carries, validated; nil when it carries none (an empty key).
  /// - Parameters:
  ///   - unkeyed: the request with its key field emptied, whose content is hashed.
  ///   - method: hashed with the content; empty for SubmitApplication (keys already stored).
  init?(_ key: String, accountID: Int64, request unkeyed: some SwiftProtobuf.Message, method: String = "") throws {
    guard !key.isEmpty else { return nil }
    self.init(accountID: accountID, key: try Self.validated(key), request: try Self.content(of: unkeyed, method: method))
  }

  init(accountID: Int64, key: String, request: String) {
    self.accountID = accountID
    self.key = key
    self.request = request
  }

  /// A key as sent: 1–128 printable ASCII characters without spaces.
  static func validated(_ key: String) throws(DomainError) -> String {
    guard key.count <= 128, key.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "\0" }) else {
      throw Require.invalid("idempotency_key", "must be 1–128 printable characters without spaces")
    }
    return key
  }

  /// A request's content (without its key) as stored hashed: its bytes in hex, after
  /// `method` and a colon when given (SubmitApplication has none, for the keys already stored).
  static func content(of request: some SwiftProtobuf.Message, method: String = "") throws -> String {
    let bytes = (try request.serializedBytes() as [UInt8]).map { String($0, radix: 16) }.joined(separator: ".")
    return method.isEmpty ? bytes : method + ":" + bytes
  }

  /// Serialises requests under this key for the rest of the transaction. `wait` waits for one
  /// still running (which then finds the case it made); otherwise racing one answers ABORTED.
  func lock(on connection: StoreConnection, wait: Bool) async throws {
    let locked = try await IdempotencyRepository(connection).lock("\(self.accountID)/\(self.key)", wait: wait)
    guard locked else {
      // A concurrent request holds the key: ABORTED, and a retry answers its case.
      throw DomainError.conflict("idempotency_key: a request with this key is in progress; retry")
    }
  }

  /// The case made under this key, if any; FAILED_PRECONDITION when it was for a different request.
  func recordedCase(on connection: StoreConnection) async throws -> Int64? {
    guard let recorded = try await IdempotencyRepository(connection).recorded(accountID: self.accountID, key: self.key, request: self.request)
    else { return nil }
    guard recorded.sameRequest else {
      throw DomainError.precondition("idempotency_key", "\(self.key) was already used for a different request")
    }
    return recorded.caseID
  }

  /// Waits for a request still running under this key, then answers the case the key made, if any
  /// (FAILED_PRECONDITION when it was for a different request).
  func existingCase(on connection: StoreConnection) async throws -> Int64? {
    try await self.lock(on: connection, wait: true)
    return try await self.recordedCase(on: connection)
  }

  /// Records `caseID` as the case this key made.
  func record(caseID: Int64, on connection: StoreConnection) async throws {
    try await IdempotencyRepository(connection).record(accountID: self.accountID, key: self.key, request: self.request, caseID: caseID)
  }
}
