public import CivicStore
import Foundation

/// Writes and reads the audit log (`audit_log`, append-only by trigger).
public enum AuditLog {
  /// Appends one entry for the current RPC (`RequestContext.current`: method, account,
  /// request id) inside the mutation's own transaction, so the entry exists exactly when
  /// the change does. Call it last in the transaction: it locks the chain head, which
  /// serializes every writer from here to COMMIT.
  public static func append(on connection: StoreConnection, object: String, summary: String) async throws {
    let context = RequestContext.current
    try await self.append(
      on: connection,
      method: context?.method ?? "civicgridd",
      accountID: context?.principal?.accountID,
      account: context?.principal?.login ?? "",
      requestID: context?.requestID ?? "",
      object: object,
      summary: summary
    )
  }

  /// Appends an entry for a start-up command that runs outside any RPC and account
  /// (`civicgridd bootstrap-admin`, `seed-demo`), which is named as the method.
  public static func append(on connection: StoreConnection, command: String, object: String, summary: String) async throws {
    try await self.append(
      on: connection,
      method: command,
      accountID: nil,
      account: "",
      requestID: "",
      object: object,
      summary: summary
    )
  }

  static func append(
    on connection: StoreConnection,
    method: String,
    accountID: Int64?,
    account: String,
    requestID: String,
    object: String,
    summary: String
  ) async throws {
    let head = try await connection.query("SELECT seq, hash FROM audit_head FOR UPDATE")
    guard let headRow = head.rows.first else { throw StoreError(code: .decoding, serverMessage: "audit_head has no row") }
    let micros = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
    var entry = AuditChain.Entry(
      seq: try headRow.decode(Int64.self, at: 0) + 1,
      atMicros: micros,
      accountID: accountID ?? 0,
      account: account,
      method: method,
      object: object,
      summary: summary,
      requestID: requestID,
      prevHash: try headRow.decode(SQLBytes.self, at: 1).bytes
    )
    entry.hash = entry.expectedHash
    try await connection.query(
      """
      INSERT INTO audit_log (seq, at, account_id, account, method, object, summary, request_id, prev_hash, hash)
      OVERRIDING SYSTEM VALUE
      VALUES ($1, timestamptz 'epoch' + ($2::bigint || ' microseconds')::interval, $3, $4, $5, $6, $7, $8, $9, $10)
      """,
      [
        entry.seq, entry.atMicros, accountID, entry.account, entry.method, entry.object, entry.summary,
        entry.requestID, SQLBytes(entry.prevHash), SQLBytes(entry.hash),
      ]
    )
    try await connection.query("UPDATE audit_head SET seq = $1, hash = $2", [entry.seq, SQLBytes(entry.hash)])
  }

  /// The columns `entry(from:)` decodes, in order.
  static let entryColumns = """
    seq, (extract(epoch FROM at) * 1000000)::bigint, coalesce(account_id, 0), account, method, object, summary,
    request_id, prev_hash, hash
    """

  static func entry(from row: Row) throws -> AuditChain.Entry {
    AuditChain.Entry(
      seq: try row.decode(at: 0),
      atMicros: try row.decode(at: 1),
      accountID: try row.decode(at: 2),
      account: try row.decode(at: 3),
      method: try row.decode(at: 4),
      object: try row.decode(at: 5),
      summary: try row.decode(at: 6),
      requestID: try row.decode(at: 7),
      prevHash: try row.decode(SQLBytes.self, at: 8).bytes,
      hash: try row.decode(SQLBytes.self, at: 9).bytes
    )
  }

  /// Walks the whole chain in seq order, a page at a time, in one repeatable-read
  /// snapshot, and checks it against the recorded head.
  public static func verify(_ store: StorePool, pageSize: Int = 2000) async throws -> AuditChain.Verifier {
    try await store.transaction(isolation: .repeatableRead) { connection in
      var verifier = AuditChain.Verifier()
      var after: Int64 = Int64.min
      while true {
        let page = try await connection.query(
          "SELECT \(Self.entryColumns) FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
          [after, pageSize]
        )
        for row in page.rows { verifier.check(try Self.entry(from: row)) }
        guard page.rows.count == pageSize, let last = page.rows.last else { break }
        after = try last.decode(Int64.self, at: 0)
      }
      let head = try await connection.query("SELECT seq, hash FROM audit_head")
      if let row = head.rows.first {
        verifier.finish(headSeq: try row.decode(at: 0), headHash: try row.decode(SQLBytes.self, at: 1).bytes)
      }
      return verifier
    }
  }
}
