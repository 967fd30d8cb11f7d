public import CivicDomain
import CivicStore

extension CaseRepository {
  /// Work assigned to a social organisation needs an active service purchase contract whose
  /// scope holds the case's item on the day of the transition (docs/CONTRACTS.md); refused
  /// otherwise with `ContractRefusal`. Returns the contract of each such task, to link.
  func contracts(for assigned: [CaseTask], change: CaseChange, calendar: WorkingCalendar) async throws -> [Int: Int64] {
    guard let first = assigned.first else { return [:] }
    let at = change.events.map(\.at).max() ?? first.clock.start
    return try await ContractRepository(self.connection).contracts(
      for: assigned.map { ContractRepository.Assignment(task: $0.number, unitCode: $0.unit.rawValue) },
      itemCode: change.case.item.code, on: calendar.localDate(of: at)
    )
  }

  /// Links newly assigned tasks to their contracts and records how the tasks that closed in
  /// this transition ended, so a contract's indicators come from its own tasks.
  func writeContractTasks(
    caseID: Int64, links: [Int: Int64], moved: [Int], changed tasks: [CaseTask], old: Case?, calendar: WorkingCalendar, at now: Instant
  ) async throws {
    let contracts = ContractRepository(self.connection)
    if !links.isEmpty || !moved.isEmpty { try await contracts.link(caseID: caseID, links, moved: moved, at: now) }
    var finished: [(task: Int, at: Instant, onTime: Bool?)] = []
    for task in tasks {
      guard let stoppedAt = task.clock.stoppedAt else { continue }
      let before = old.flatMap { $0.tasks.count >= task.number ? $0.tasks[task.number - 1] : nil }
      guard before?.clock.stoppedAt == nil else { continue }
      finished.append((task.number, stoppedAt, task.state == .withdrawn ? nil : try task.clock.finishedOnTime(in: calendar)))
    }
    try await contracts.finish(caseID: caseID, finished)
  }
}
