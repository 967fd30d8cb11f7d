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

  /// The columns of one alert row, bound as one JSON array for the whole append.
  private struct Row: Encodable {
    var kind: String
    var caseID: Int64?
    var task: Int
    var caseKind: String
    var unitID: Int64
    var unitPath: String
    var level: String?
    var previousLevel: String?
    var orderID: Int64?
    var recordID: Int64
    var summary: String
    var at: Int

    init(_ alert: PendingAlert) {
      self.kind = alert.kind.rawValue
      self.caseID = alert.caseID
      self.task = alert.task
      self.caseKind = alert.caseKind
      self.unitID = alert.unitID
      self.unitPath = alert.unitPath
      self.level = alert.level?.description
      self.previousLevel = alert.previousLevel?.description
      self.orderID = alert.orderID
      self.recordID = alert.recordID
      self.summary = alert.summary
      self.at = alert.at.secondsSinceEpoch
    }
  }

  /// Inserts `alerts` with one statement; a function scan yields the array in order, so sequence
  /// values follow it.
  static func append(_ alerts: [PendingAlert], on connection: StoreConnection) async throws {
    guard !alerts.isEmpty else { return }
    try await connection.query("SELECT pg_advisory_xact_lock($1)", [self.alertOrderLock])
    let rows = String(decoding: try JSONEncoder().encode(alerts.map(Row.init)), as: UTF8.self)
    let last =
      try await connection.query(
        """
        WITH inserted AS (
          INSERT INTO supervision_alerts (kind, case_id, task, case_kind, unit_id, unit_path, level, previous_level, order_id,
            record_id, summary, at)
          SELECT r.kind, r."caseID", r.task, r."caseKind", r."unitID", r."unitPath", r.level, r."previousLevel", r."orderID",
            r."recordID", r.summary, to_timestamp(r.at)
          FROM jsonb_to_recordset($1::jsonb) AS r(kind text, "caseID" bigint, task integer, "caseKind" text, "unitID" bigint,
            "unitPath" text, level text, "previousLevel" text, "orderID" bigint, "recordID" bigint, summary text, at bigint)
          RETURNING seq
        )
        SELECT max(seq) FROM inserted
        """,
        [rows]
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
