import CivicRepositories
public import CivicStore
import Foundation

/// Writes and reads the audit log (`audit_log`, append-only by trigger).
public enum AuditLog {
  /// Appends one entry for the current RPC (`RequestContext.current`: method, account,
  /// request id) inside the mutation's own transaction, so the entry exists exactly when
  /// the change does. The entry is written unsealed and takes no lock; the sequencer gives
  /// it its seq and chain hash after commit (`Sequencer`).
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
    let micros = Int64((Date().timeIntervalSince1970 * 1_000_000).rounded(.down))
    let entry = AuditChain.Entry(
      seq: 0,
      atMicros: micros,
      accountID: accountID ?? 0,
      account: account,
      method: method,
      object: object,
      summary: summary,
      requestID: requestID,
      prevHash: []
    )
    try await AuditRepository(connection).append(entry)
  }

  /// Walks the whole chain in seq order, a page at a time, in one repeatable-read
  /// snapshot, and checks it against the recorded head. Entries the sequencer has not
  /// sealed yet are not part of the chain (docs/SECURITY.md, "Audit log").
  public static func verify(_ store: StorePool, pageSize: Int = 2000) async throws -> AuditChain.Verifier {
    try await store.transaction(isolation: .repeatableRead) { connection in
      var verifier = AuditChain.Verifier()
      let audit = AuditRepository(connection)
      var after: Int64 = Int64.min
      while true {
        let page = try await audit.entries(after: after, limit: pageSize)
        for entry in page { verifier.check(entry) }
        guard page.count == pageSize, let last = page.last else { break }
        after = last.seq
      }
      if let head = try await audit.head(lock: false) { verifier.finish(headSeq: head.seq, headHash: head.hash) }
      return verifier
    }
  }
}
