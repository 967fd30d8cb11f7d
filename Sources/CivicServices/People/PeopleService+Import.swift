import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension PeopleService {
  /// The most rows one import message may carry.
  static let maxBatchRows = 5_000

  /// Imports a department's list batch by batch, each batch in its own transaction with its
  /// key and report: when the connection drops, the batches answered so far are committed
  /// whole and the one in flight not at all; sending every batch again resumes, since a key
  /// already imported answers its first report (`replayed`) and writes nothing.
  public func importPeople(
    request: RPCAsyncSequence<Civicgrid_V1_ImportPeopleRequest, any Error>, context: ServerContext
  ) async throws -> Civicgrid_V1_ImportPeopleResponse {
    let principal = try RequestContext.principal()
    var response = Civicgrid_V1_ImportPeopleResponse()
    var keys: Set<String> = []
    for try await batch in request {
      let field = "batches[\(response.batches.count)]"
      let key = try Validation.code(batch.batchKey, field: "\(field).batch_key")
      guard keys.insert(key).inserted else { throw Require.invalid("\(field).batch_key", "\(key) was sent twice in this call") }
      guard (1...Self.maxBatchRows).contains(batch.rows.count) else {
        throw Require.invalid("\(field).rows", "must hold 1–\(Self.maxBatchRows) rows, got \(batch.rows.count)")
      }
      let source = try Self.source(batch.source, for: principal, importing: true)
      let now = self.now()
      let provenance = Provenance(source: source, collectedBy: principal.login, collectedAt: now)
      let (rows, replayed) = try await self.store.transaction { connection in
        let batches = ImportBatchRepository(connection)
        guard try await batches.claim(accountID: principal.accountID, key: key, source: source, at: now) else {
          return (try await batches.report(accountID: principal.accountID, key: key), true)
        }
        let rows = try await PersonBatch(principal: principal, provenance: provenance).run(batch.rows, prefix: { "rows[\($0)]." }, on: connection)
        try await batches.record(accountID: principal.accountID, key: key, rows: rows)
        let counts = Dictionary(grouping: rows, by: \.outcome).mapValues(\.count)
        let summary = ["created", "merged", "pendingCorrection", "rejected"].map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", ")
        try await AuditLog.append(on: connection, object: "person-import/\(key)", summary: "imported \(rows.count) rows from \(source.rawValue): \(summary)")
        return (rows, false)
      }
      var report = Civicgrid_V1_ImportBatchReport()
      report.batchKey = key
      report.replayed = replayed
      report.rows = rows.map(Self.message)
      for row in rows {
        switch row.outcome {
        case "created": response.created += 1
        case "merged": response.merged += 1
        case "pendingCorrection": response.pendingCorrection += 1
        default: response.rejected += 1
        }
      }
      response.batches.append(report)
    }
    return response
  }

  static func message(_ row: ImportRowRecord) -> Civicgrid_V1_ImportRowReport {
    var m = Civicgrid_V1_ImportRowReport()
    m.row = Int32(row.row)
    m.outcome = MergeOutcome(rawValue: row.outcome).map(PeopleMapping.message) ?? .rejected
    m.personID = row.personID ?? 0
    m.field = row.field
    m.reason = row.reason
    return m
  }
}
