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

  /// Inserts `alerts` with one statement, one array per column; `unnest` yields them in order,
  /// so sequence values follow the array.
  static func append(_ alerts: [PendingAlert], on connection: StoreConnection) async throws {
    guard !alerts.isEmpty else { return }
    try await connection.query("SELECT pg_advisory_xact_lock($1)", [self.alertOrderLock])
    let last =
      try await connection.query(
        """
        WITH inserted AS (
          INSERT INTO supervision_alerts (kind, case_id, task, case_kind, unit_id, unit_path, level, previous_level, order_id,
            record_id, summary, at)
          SELECT kind, case_id, task, case_kind, unit_id, unit_path, level, previous_level, order_id, record_id, summary,
            to_timestamp(at)
          FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[],
            $9::bigint[], $10::bigint[], $11::text[], $12::bigint[])
            AS r(kind, case_id, task, case_kind, unit_id, unit_path, level, previous_level, order_id, record_id, summary, at)
          RETURNING seq
        )
        SELECT max(seq) FROM inserted
        """,
        [
          SQLArray(alerts.map(\.kind.rawValue)), SQLArray(alerts.map(\.caseID)), SQLArray(alerts.map(\.task)),
          SQLArray(alerts.map(\.caseKind)), SQLArray(alerts.map(\.unitID)), SQLArray(alerts.map(\.unitPath)),
          SQLArray(alerts.map(\.level?.description)), SQLArray(alerts.map(\.previousLevel?.description)),
          SQLArray(alerts.map(\.orderID)), SQLArray(alerts.map(\.recordID)), SQLArray(alerts.map(\.summary)),
          SQLArray(alerts.map(\.at.secondsSinceEpoch)),
        ]
      ).scalar(Int64.self) ?? 0
    try await connection.query("SELECT pg_notify($1, $2)", [self.notifyChannel, String(last)])
  }
}

extension WarningLevel {
  init?(stored: String) {
    guard let level = WarningLevel.allCases.first(where: { $0.description == stored }) else { return nil }
    self = level
  }
}
