public import CivicDomain
public import CivicStore
import Foundation

/// One row of the alert feed before it has a sequence number, as stored: `kind` is the
/// alert kind's name (warning, urge, orderProposed, order, notice, inspection).
public struct NewAlert: Sendable {
  public var kind: String
  public var caseID: Int64?
  public var task: Int
  public var caseKind: String
  public var unitID: Int64
  public var unitPath: String
  public var level: WarningLevel?
  public var previousLevel: WarningLevel?
  public var orderID: Int64?
  public var recordID: Int64
  public var summary: String
  public var at: Instant

  public init(
    kind: String, caseID: Int64?, task: Int, caseKind: String, unitID: Int64, unitPath: String, level: WarningLevel?,
    previousLevel: WarningLevel?, orderID: Int64?, recordID: Int64, summary: String, at: Instant
  ) {
    self.kind = kind
    self.caseID = caseID
    self.task = task
    self.caseKind = caseKind
    self.unitID = unitID
    self.unitPath = unitPath
    self.level = level
    self.previousLevel = previousLevel
    self.orderID = orderID
    self.recordID = recordID
    self.summary = summary
    self.at = at
  }
}

/// The alert feed (`supervision_alerts`), appended inside the caller's transaction in one
/// global order.
///
/// Same technique as `CaseRepository`'s events: the transaction takes `alertOrderLock` just
/// before its first alert row and holds it to commit, so sequence values become visible in
/// increasing order and a watcher reading `seq > cursor` never skips an alert that commits later.
public struct AlertRepository: Sendable {
  public static let alertOrderLock: Int64 = 0x4347_414C  // "CGAL"
  public static let notifyChannel = "supervision_alerts"

  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Inserts `alerts` with one `COPY` (a sweep's batch is hundreds of rows): rows are
  /// numbered in the order given, so sequence values follow the array; the notification
  /// carries the last of them (`currval` of this session's numbering, under the lock).
  public func append(_ alerts: [NewAlert]) async throws(StoreError) {
    guard !alerts.isEmpty else { return }
    var rows = CopyRows(columns: 12)
    // `timestamptz` text as the store writes every `Date` (COPY has no `to_timestamp`), made
    // once per instant: a sweep's batch shares one, and formatting it for every row was about
    // 9 % of the sweeper's CPU (`perf record`, a day's sweep).
    var stamp: (at: Instant, text: String?)?
    for alert in alerts {
      if stamp?.at != alert.at { stamp = (alert.at, Date(alert.at).sqlText) }
      rows.append(
        alert.kind, alert.caseID, alert.task, alert.caseKind, alert.unitID, alert.unitPath, alert.level?.description,
        alert.previousLevel?.description, alert.orderID, alert.recordID, alert.summary, stamp?.text
      )
    }
    // The lock and the notification read nothing back: the lock goes out in the round trip
    // before the COPY (with any other queued write), the notification with the next statement
    // or the COMMIT. The COPY itself cannot join a pipeline.
    try await self.connection.queue("SELECT pg_advisory_xact_lock(\(Self.alertOrderLock))")
    try await self.connection.copy(
      """
      COPY supervision_alerts (kind, case_id, task, case_kind, unit_id, unit_path, level, previous_level, order_id, record_id,
        summary, at) FROM STDIN
      """,
      rows
    )
    try await self.connection.queue(
      "SELECT pg_notify(\(Self.notifyChannel), currval(pg_get_serial_sequence('supervision_alerts', 'seq'))::text)"
    )
  }
}
