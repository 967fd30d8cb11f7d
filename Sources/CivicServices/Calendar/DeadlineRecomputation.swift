import CivicDomain
import CivicStore
import Foundation

/// Recomputes the stored deadlines of every open case of a jurisdiction (case clock and task
/// clocks) from a changed calendar, inside the calendar change's transaction. A deadline is a
/// function of (calendar, start, limit, pauses, extensions), so this is calling it again.
enum DeadlineRecomputation {
  /// Returns how many stored deadlines changed.
  static func run(jurisdiction: String, calendar: WorkingCalendar, on connection: StoreConnection) async throws -> Int {
    let rows = try await connection.query(
      "SELECT id, snapshot::text, extract(epoch FROM deadline)::bigint FROM cases WHERE jurisdiction = $1 AND is_open ORDER BY id FOR UPDATE",
      [jurisdiction]
    ).rows
    var changed = 0
    for row in rows {
      let id = try row.decode(Int64.self, at: 0)
      let value = try JSONDecoder().decode(Case.self, from: Data(try row.decode(String.self, at: 1).utf8))
      let stored = try row.decode(Int?.self, at: 2)
      let deadline = try value.clock?.runningDeadline(in: calendar)?.secondsSinceEpoch
      if deadline != stored {
        // The indicators' copy of the case clock's deadline (migration 0009) moves with it.
        try await connection.execute(
          "UPDATE cases SET deadline = to_timestamp($2::bigint), clock_deadline = to_timestamp($3::bigint) WHERE id = $1",
          [id, deadline, try value.clock?.deadline(in: calendar)?.secondsSinceEpoch]
        )
        changed += 1
      }
      for task in value.tasks where task.state.isOpen {
        let taskDeadline = try task.clock.runningDeadline(in: calendar)?.secondsSinceEpoch
        changed += try await connection.execute(
          """
          UPDATE case_tasks SET deadline = to_timestamp($3::bigint)
          WHERE case_id = $1 AND number = $2 AND deadline IS DISTINCT FROM to_timestamp($3::bigint)
          """,
          [id, task.number, taskDeadline]
        )
      }
    }
    // Levels move with deadlines: the sweeper looks at every open case of the jurisdiction again.
    try await connection.execute(
      "UPDATE case_warnings w SET next_at = '-infinity' FROM cases c WHERE c.id = w.case_id AND c.jurisdiction = $1",
      [jurisdiction]
    )
    return changed
  }
}
