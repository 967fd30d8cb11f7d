import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// Urgent events: alerts at report time to the handling unit and over the grid (every
/// supervisor whose scope holds it sees those), one recipient row each to acknowledge, and
/// the escalation of those left unacknowledged (`UrgentEscalation`).
extension FieldEventsService {
  /// Writes the urgent alerts and their recipients in the report's transaction; answers who
  /// was alerted, for the audit line.
  static func alertUrgent(
    caseID: Int64,
    category: FieldEventCategory,
    grid: (id: Int64, path: String, code: String),
    handling: (id: Int64, path: String, code: String)?,
    minutes: Int,
    at now: Instant,
    on connection: StoreConnection
  ) async throws -> String {
    // The location is personal data and alert summaries are shown unmasked: the grid says
    // where to look, GetEvent gives the place to those who see it.
    let summary = "urgent \(category.title) in grid \(grid.code)"
    var alerts = [
      PendingAlert(
        kind: .urgentEvent,
        caseID: caseID,
        caseKind: FieldEventKind.fieldEvent.name,
        unitID: grid.id,
        unitPath: grid.path,
        summary: summary,
        at: now
      )
    ]
    if let handling {
      alerts.append(
        PendingAlert(
          kind: .urgentEvent,
          caseID: caseID,
          caseKind: FieldEventKind.fieldEvent.name,
          unitID: handling.id,
          unitPath: handling.path,
          summary: summary,
          at: now
        )
      )
    }
    let recipients = UrgentRecipientRepository(connection)
    let supervisors = try await recipients.supervisors(over: grid.path)
    var rows = supervisors.map { (unitID: $0.unitID, login: $0.login) }
    if let handling { rows.append((unitID: handling.id, login: "")) }
    try await recipients.insert(caseID: caseID, recipients: rows, due: UrgentAlertRule.due(sentAt: now, minutes: minutes))
    try await AlertWriter.append(alerts, on: connection)
    return ([handling?.code].compactMap { $0 } + supervisors.map(\.login)).joined(separator: ", ")
  }

  /// The caller acknowledges the alerts addressed to them: as a supervisor, their own row; as
  /// staff of the handling unit, the unit's row. NOT_FOUND when none is addressed to them.
  public func acknowledgeUrgentEvent(
    request: Civicgrid_V1_AcknowledgeUrgentEventRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_UrgentAcknowledgements {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(request.eventID, field: "event_id")
    let now = self.now()
    return try await self.store.transaction { connection in
      let recipients = UrgentRecipientRepository(connection)
      let all = try await recipients.recipients(of: id)
      let mine = all.filter { $0.login == principal.login || ($0.login.isEmpty && $0.unitID == principal.unitID) }
      guard !mine.isEmpty else { throw DomainError.notFound("urgent alert of event \(CaseNumber.format(id)) for \(principal.login)") }
      let acknowledged = try await recipients.acknowledge(caseID: id, login: principal.login, unitID: principal.unitID, at: now)
      if acknowledged > 0 {
        try await AuditLog.append(
          on: connection,
          object: "field-event/\(CaseNumber.format(id))",
          summary: "urgent alert acknowledged by \(principal.login)@\(principal.unitCode)"
        )
      }
      var response = Civicgrid_V1_UrgentAcknowledgements()
      response.recipients = try await recipients.recipients(of: id).map(Self.recipient)
      return response
    }
  }

  static func recipient(_ row: UrgentRecipientRepository.Recipient) -> Civicgrid_V1_UrgentRecipient {
    var m = Civicgrid_V1_UrgentRecipient()
    m.unitCode = row.unitCode
    m.login = row.login
    m.dueAt = row.dueAt.timestamp
    if let at = row.acknowledgedAt { m.acknowledgedAt = at.timestamp }
    if let at = row.escalatedAt { m.escalatedAt = at.timestamp }
    return m
  }
}
