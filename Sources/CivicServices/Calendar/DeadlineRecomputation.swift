import CivicDomain
import CivicRepositories
import CivicStore

/// Recomputes the stored deadlines of every open case of a jurisdiction (case clock and task
/// clocks) from a changed calendar, inside the calendar change's transaction. A deadline is a
/// function of (calendar, start, limit, pauses, extensions), so this is calling it again.
enum DeadlineRecomputation {
  /// Returns how many stored deadlines changed.
  static func run(jurisdiction: String, calendar: WorkingCalendar, on connection: StoreConnection) async throws -> Int {
    let cases = CaseRepository(connection)
    var changed = 0
    for open in try await cases.openCasesLocked(jurisdiction: jurisdiction) {
      let deadline = try open.value.clock?.runningDeadline(in: calendar)?.secondsSinceEpoch
      if deadline != open.storedDeadline {
        try await cases.setCaseDeadline(id: open.id, running: deadline, clock: try open.value.clock?.deadline(in: calendar)?.secondsSinceEpoch)
        changed += 1
      }
      for task in open.value.tasks where task.state.isOpen {
        let taskDeadline = try task.clock.runningDeadline(in: calendar)?.secondsSinceEpoch
        changed += try await cases.setTaskDeadline(caseID: open.id, task: task.number, deadline: taskDeadline)
      }
    }
    // Levels move with deadlines: the sweeper looks at every open case of the jurisdiction again.
    try await cases.resweep(jurisdiction: jurisdiction)
    return changed
  }
}
