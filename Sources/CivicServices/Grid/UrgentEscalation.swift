public import CivicDomain
import CivicRepositories
public import CivicStore

/// Escalates urgent-event alerts left unacknowledged past their due time: one
/// `urgentEscalated` alert to the unit above the recipient's (the district root for a
/// department), the row marked, in one transaction per batch. Rows are claimed with
/// SKIP LOCKED, so sweepers on several instances share them; the sweeper calls `pass` on
/// each of its passes, tests call it on scripted time.
public struct UrgentEscalation: Sendable {
  let store: StorePool

  public init(store: StorePool) { self.store = store }

  /// One pass at `now`; answers how many recipients were escalated.
  @discardableResult
  public func pass(at now: Instant, batchSize: Int = 200) async throws -> Int {
    var total = 0
    while true {
      let escalated = try await self.store.transaction { connection in
        let recipients = UrgentRecipientRepository(connection)
        let due = try await recipients.claimDue(at: now, limit: batchSize)
        var alerts: [PendingAlert] = []
        for recipient in due {
          guard let above = try await recipients.unitAbove(recipient.unitPath) else {
            throw DomainError.notFound("the unit above \(recipient.unitCode)")
          }
          let who = recipient.login.isEmpty ? recipient.unitCode : "\(recipient.login)@\(recipient.unitCode)"
          alerts.append(
            PendingAlert(
              kind: .urgentEscalated,
              caseID: recipient.caseID,
              caseKind: FieldEventKind.fieldEvent.name,
              unitID: above.id,
              unitPath: above.path,
              summary: "urgent event \(CaseNumber.format(recipient.caseID)) not acknowledged by \(who) in time",
              at: now
            )
          )
          try await recipients.markEscalated(recipient, at: now)
        }
        try await AlertWriter.append(alerts, on: connection)
        return due.count
      }
      total += escalated
      if escalated < batchSize { return total }
    }
  }
}
