import CivicDomain
import CivicRepositories
import CivicStore

extension WarningSweeper {
  /// Applies, as the system, the command each case's kind gives for a task whose clock just ran
  /// out (`CaseKind.commandOnOverdue`: a request escalates to its next tier), in the batch's
  /// transaction, which already holds those case rows (`lockCases`). Each applied
  /// command writes the case like any command and its audit row. Returns how many were applied.
  func applyOverdueCommands(_ overdue: [(caseID: Int64, task: Int)], at now: Instant, on connection: StoreConnection) async throws -> Int {
    guard !overdue.isEmpty else { return 0 }
    let cases = CaseRepository(connection)
    var applied = 0
    for (caseID, task) in overdue {
      guard let record = try await cases.load(caseID, visibleIn: UnitScope.everything.sqlRange, lock: false),
        let kind = CaseKinds.named(record.value.kind),
        let change = try record.value.overdueChange(of: kind, task: task, at: now)
      else { continue }
      let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
      try await cases.update(id: record.id, old: record.value, new: change, unitPath: record.unitPath, calendar: calendar)
      let moved = change.events.compactMap { event -> String? in
        if case .stateChanged(_, let to, let action) = event.kind { return "\(action) → \(to)" }
        if case .taskCreated(let unit, let limit) = event.kind { return "task at \(unit) within \(limit)" }
        return nil
      }
      try await AuditLog.append(
        on: connection,
        command: "sweeper",
        object: "case/\(record.number)",
        summary: "task \(task) overdue: \(kind.name) \(moved.joined(separator: ", "))"
      )
      applied += 1
    }
    return applied
  }
}
