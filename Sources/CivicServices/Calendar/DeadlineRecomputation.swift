import CivicDomain
import CivicRepositories
import CivicStore

/// Recomputes the stored deadlines of every open case of a jurisdiction (case clock and task
/// clocks) from a changed calendar, inside the calendar change's transaction. A deadline is a
/// function of (calendar, start, limit, pauses, extensions), so this is calling it again, on
/// the stored clocks (`cases.clocks`); the changes are written in one statement per table.
enum DeadlineRecomputation {
  /// Returns how many stored deadlines changed.
  static func run(jurisdiction: String, calendar: WorkingCalendar, on connection: StoreConnection) async throws -> Int {
    let cases = CaseRepository(connection)
    var caseDeadlines: [(id: Int64, running: Int?, clock: Int?)] = []
    var taskDeadlines: [(caseID: Int64, task: Int, deadline: Int?)] = []
    for open in try await cases.openCasesLocked(jurisdiction: jurisdiction) {
      let clock = open.clocks.clock
      let deadline = try clock?.runningDeadline(in: calendar)?.secondsSinceEpoch
      if deadline != open.storedDeadline {
        caseDeadlines.append((open.id, deadline, try clock?.deadline(in: calendar)?.secondsSinceEpoch))
      }
      for task in open.clocks.tasks where task.state.isOpen {
        taskDeadlines.append((open.id, task.number, try task.clock.runningDeadline(in: calendar)?.secondsSinceEpoch))
      }
    }
    try await cases.setCaseDeadlines(caseDeadlines)
    let changedTasks = try await cases.setTaskDeadlines(taskDeadlines)
    // Levels move with deadlines: the sweeper looks at every open case of the jurisdiction again.
    try await cases.resweep(jurisdiction: jurisdiction)
    return caseDeadlines.count + changedTasks
  }
}
