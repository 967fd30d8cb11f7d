import CivicDomain
import CivicStore
import Foundation

/// One row of the alert feed before it has a sequence number.
struct PendingAlert: Sendable {
  enum Kind: String, Sendable { case warning, urge, orderProposed, order, notice, inspection }

  var kind: Kind
  var caseID: Int64?
  var task: Int = 0
  var caseKind: String = ""
  var unitID: Int64
  var unitPath: String
  var level: WarningLevel?
  var previousLevel: WarningLevel?
  var orderID: Int64?
  var recordID: Int64 = 0
  var summary: String
  var at: Instant
}

/// Appends alerts inside the caller's transaction, in one global order.
///
/// Same technique as `CaseWriter`'s events: the transaction takes `alertOrderLock` just before
/// its first alert row and holds it to commit, so sequence values become visible in increasing
/// order and a watcher reading `seq > cursor` never skips an alert that commits later.
enum AlertWriter {
  static let alertOrderLock: Int64 = 0x4347_414C  // "CGAL"
  static let notifyChannel = "supervision_alerts"

  static func append(_ alerts: [PendingAlert], on connection: StoreConnection) async throws {
    guard !alerts.isEmpty else { return }
    try await connection.query("SELECT pg_advisory_xact_lock($1)", [self.alertOrderLock])
    var last: Int64 = 0
    for alert in alerts {
      last = try await connection.query(
        """
        INSERT INTO supervision_alerts (kind, case_id, task, case_kind, unit_id, unit_path, level, previous_level, order_id,
          record_id, summary, at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, to_timestamp($12::bigint))
        RETURNING seq
        """,
        [
          alert.kind.rawValue, alert.caseID, alert.task, alert.caseKind, alert.unitID, alert.unitPath, alert.level?.description,
          alert.previousLevel?.description, alert.orderID, alert.recordID, alert.summary, alert.at.secondsSinceEpoch,
        ]
      ).scalar(Int64.self) ?? 0
    }
    try await connection.query("SELECT pg_notify($1, $2)", [self.notifyChannel, String(last)])
  }
}

extension WarningLevel {
  init?(stored: String) {
    guard let level = WarningLevel.allCases.first(where: { $0.description == stored }) else { return nil }
    self = level
  }
}
