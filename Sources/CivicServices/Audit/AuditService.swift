import CivicDomain
public import CivicProtos
import CivicRepositories
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
    let filter = AuditFilter(
      afterSeq: request.afterSeq,
      object: object,
      account: account,
      sinceMicros: since?.micros,
      untilMicros: until?.micros,
      accountsWithin: scope.coversDistrict ? nil : scope.sqlRange
    )
    // The log is read sealed only: wait (bounded) for the entries committed before this call.
    try await Sequencer.awaitSequenced(.auditLog, store: self.store)
    let records = try await self.store.withConnection { try await AuditRepository($0).list(filter, limit: limit + 1) }
    var response = Civicgrid_V1_ListAuditResponse()
    for entry in records.prefix(limit) {
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
    if records.count > limit, let last = response.entries.last { response.nextAfterSeq = last.seq }
    return response
  }

  public func verifyAudit(
    request: Civicgrid_V1_VerifyAuditRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_VerifyAuditResponse {
    // The chain is one district-wide object: verifying it reads every entry's hash and the head.
    guard try RequestContext.principal().coversDistrict else {
      throw DomainError.permissionDenied("verifying the audit chain needs a scope that covers the whole district")
    }
    try await Sequencer.awaitSequenced(.auditLog, store: self.store)
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
