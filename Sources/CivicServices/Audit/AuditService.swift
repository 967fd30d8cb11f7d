public import CivicProtos
public import CivicStore
import Foundation
public import GRPCCore
import SwiftProtobuf

/// `civicgrid.v1.Audit`: reading the audit log within the caller's scope, and verifying the
/// whole chain (auditors and district admins).
public struct AuditService: Civicgrid_V1_Audit.SimpleServiceProtocol {
  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Audit/ListAudit": .roles([.auditor, .admin]),
    "civicgrid.v1.Audit/VerifyAudit": .roles([.auditor, .admin]),
  ]

  private let store: StorePool

  public init(store: StorePool) {
    self.store = store
  }

  public func listAudit(
    request: Civicgrid_V1_ListAuditRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_ListAuditResponse {
    let limit = try Validation.pageSize(request.pageSize, maxSize: 1000)
    let object = try Validation.text(request.object, field: "object", maxLength: 300, required: false)
    let account = try Validation.text(request.account, field: "account", maxLength: 64, required: false)
    if request.afterSeq < 0 { throw Validation.invalid("after_seq", "must not be negative") }
    let since = request.hasSince ? try Validation.timestamp(request.since, field: "since") : nil
    let until = request.hasUntil ? try Validation.timestamp(request.until, field: "until") : nil
    // The scope rule for the log: entries made by accounts in the caller's scope. Entries of
    // start-up commands (no account) and of accounts elsewhere are the whole district's.
    let scope = try RequestContext.principal().scope
    let range = scope.sqlRange
    let rows = try await self.store.query(
      """
      SELECT \(AuditLog.entryColumns) FROM audit_log
      WHERE seq > $1 AND ($2 = '' OR object = $2) AND ($3 = '' OR account = $3)
        AND ($4::bigint IS NULL OR at >= timestamptz 'epoch' + ($4::bigint || ' microseconds')::interval)
        AND ($5::bigint IS NULL OR at < timestamptz 'epoch' + ($5::bigint || ' microseconds')::interval)
        AND ($7 OR account_id IN (SELECT a.id FROM accounts a JOIN units u ON u.id = a.unit_id WHERE u.path >= $8 AND u.path < $9))
      ORDER BY seq LIMIT $6
      """,
      [
        request.afterSeq, object, account, since?.micros, until?.micros, limit + 1, scope.coversDistrict, range.lower,
        range.upper,
      ]
    )
    var response = Civicgrid_V1_ListAuditResponse()
    for row in rows.rows.prefix(limit) {
      let entry = try AuditLog.entry(from: row)
      response.entries.append(
        .with {
          $0.seq = entry.seq
          $0.at = Google_Protobuf_Timestamp(micros: entry.atMicros)
          $0.account = entry.account
          $0.method = entry.method
          $0.object = entry.object
          $0.summary = entry.summary
          $0.requestID = entry.requestID
          $0.prevHash = Data(entry.prevHash)
          $0.hash = Data(entry.hash)
        }
      )
    }
    if rows.rows.count > limit, let last = response.entries.last { response.nextAfterSeq = last.seq }
    return response
  }

  public func verifyAudit(
    request: Civicgrid_V1_VerifyAuditRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_VerifyAuditResponse {
    // The chain is one district-wide object: verifying it reads every entry's hash and the head.
    guard try RequestContext.principal().coversDistrict else {
      throw RPCError(code: .permissionDenied, message: "verifying the audit chain needs a scope that covers the whole district")
    }
    let verifier = try await AuditLog.verify(self.store)
    return .with {
      $0.intact = verifier.isIntact
      $0.entriesChecked = verifier.checked
      $0.firstBrokenSeq = verifier.firstBreak?.seq ?? 0
      $0.problem = verifier.firstBreak?.problem ?? ""
      $0.headHash = Data(verifier.lastHash)
      $0.breaks = verifier.breaks.map { broken in .with { $0.seq = broken.seq; $0.problem = broken.problem } }
      $0.brokenCount = verifier.brokenCount
    }
  }
}
