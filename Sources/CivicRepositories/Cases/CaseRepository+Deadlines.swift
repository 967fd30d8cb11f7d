public import CivicDomain
public import CivicStore

/// The stored deadlines a calendar change recomputes: the open cases of a jurisdiction, their
/// case and task deadline columns, and the sweeper's next look at them.
extension CaseRepository {
  /// An open case as the recomputation reads it: its value and its stored running deadline.
  public struct OpenDeadline: Sendable {
    public var id: Int64
    public var value: Case
    /// The stored `deadline` in seconds since the epoch; nil while the clock is paused or stopped.
    public var storedDeadline: Int?
  }

  /// Every open case of `jurisdiction`, in id order, locked until commit.
  public func openCasesLocked(jurisdiction: String) async throws(StoreError) -> [OpenDeadline] {
    let rows = try await self.connection.query(
      """
      SELECT id, snapshot::text, extract(epoch FROM deadline)::bigint FROM cases
      WHERE jurisdiction = \(jurisdiction) AND is_open ORDER BY id FOR UPDATE
      """
    ).decode((Int64, String, Int?).self)
    var cases: [OpenDeadline] = []
    cases.reserveCapacity(rows.count)
    for (id, snapshot, deadline) in rows {
      cases.append(OpenDeadline(id: id, value: try CaseRecord.snapshot(snapshot), storedDeadline: deadline))
    }
    return cases
  }

  /// Stores the case clock's running deadline and the indicators' copy of its deadline (migration 0009).
  public func setCaseDeadline(id: Int64, running: Int?, clock: Int?) async throws(StoreError) {
    try await self.connection.execute(
      "UPDATE cases SET deadline = to_timestamp(\(running)::bigint), clock_deadline = to_timestamp(\(clock)::bigint) WHERE id = \(id)"
    )
  }

  /// Stores a task's running deadline; returns 1 when it changed, 0 when it was already so.
  public func setTaskDeadline(caseID: Int64, task: Int, deadline: Int?) async throws(StoreError) -> Int {
    try await self.connection.execute(
      """
      UPDATE case_tasks SET deadline = to_timestamp(\(deadline)::bigint)
      WHERE case_id = \(caseID) AND number = \(task) AND deadline IS DISTINCT FROM to_timestamp(\(deadline)::bigint)
      """
    )
  }

  /// Makes the sweeper look at every open case of `jurisdiction` on its next pass.
  public func resweep(jurisdiction: String) async throws(StoreError) {
    try await self.connection.execute(
      "UPDATE case_warnings w SET next_at = '-infinity' FROM cases c WHERE c.id = w.case_id AND c.jurisdiction = \(jurisdiction)"
    )
  }
}
