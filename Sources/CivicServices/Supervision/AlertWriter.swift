import CivicDomain
import CivicRepositories
import CivicStore

/// One row of the alert feed before it has a sequence number.
struct PendingAlert: Sendable {
  enum Kind: String, Sendable { case warning, urge, orderProposed, order, notice, inspection, targetMissed, urgentEvent, urgentEscalated, contractEnding }

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

  var row: NewAlert {
    NewAlert(
      kind: self.kind.rawValue, caseID: self.caseID, task: self.task, caseKind: self.caseKind, unitID: self.unitID,
      unitPath: self.unitPath, level: self.level, previousLevel: self.previousLevel, orderID: self.orderID, recordID: self.recordID,
      summary: self.summary, at: self.at
    )
  }
}

/// Appends alerts inside the caller's transaction, in one global order (`AlertRepository`).
enum AlertWriter {
  static let notifyChannel = AlertRepository.notifyChannel

  static func append(_ alerts: [PendingAlert], on connection: StoreConnection) async throws {
    try await AlertRepository(connection).append(alerts.map(\.row))
  }
}
