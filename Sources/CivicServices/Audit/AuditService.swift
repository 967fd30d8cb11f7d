public import CivicProtos
public import CivicStore
import Foundation
public import GRPCCore
import SwiftProtobuf

/// `civicgrid.v1.Audit`: reading and verifying the audit log (auditors and admins).
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
    let rows = try await self.store.query(
      """
      SELECT \(AuditLog.entryColumns) FROM audit_log
      WHERE seq > $1 AND ($2 = '' OR object = $2) AND ($3 = '' OR account = $3)
        AND ($4::bigint IS NULL OR at >= timestamptz 'epoch' + ($4::bigint || ' microseconds')::interval)
        AND ($5::bigint IS NULL OR at < timestamptz 'epoch' + ($5::bigint || ' microseconds')::interval)
      ORDER BY seq LIMIT $6
      """,
      [
        request.afterSeq, object, account, request.hasSince ? request.since.micros : nil,
        request.hasUntil ? request.until.micros : nil, limit + 1,
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
    let verifier = try await AuditLog.verify(self.store)
    return .with {
      $0.intact = verifier.firstBreak == nil
      $0.entriesChecked = verifier.checked
      $0.firstBrokenSeq = verifier.firstBreak?.seq ?? 0
      $0.problem = verifier.firstBreak?.problem ?? ""
      $0.headHash = Data(verifier.lastHash)
    }
  }
}
