public import CivicDomain
public import CivicStore

/// The stored deadlines a calendar change recomputes: the open cases of a jurisdiction, their
/// case and task deadline columns, and the sweeper's next look at them.
extension CaseRepository {
  /// An open case as the recomputation reads it: its clocks and its stored running deadline.
  public struct OpenDeadline: Sendable {
    public var id: Int64
    public var clocks: CaseClocks
    /// The stored `deadline` in seconds since the epoch; nil while the clock is paused or stopped.
    public var storedDeadline: Int?
  }

  /// Every open case of `jurisdiction`, in id order, locked until commit, with its stored clocks
  /// (`cases.clocks`; the JSON snapshot only for a row without them).
  public func openCasesLocked(jurisdiction: String) async throws(StoreError) -> [OpenDeadline] {
    let rows = try await self.connection.query(
      """
      SELECT id, clocks, CASE WHEN clocks IS NULL THEN snapshot::text END, extract(epoch FROM deadline)::bigint FROM cases
      WHERE jurisdiction = \(jurisdiction) AND is_open ORDER BY id FOR UPDATE
      """
    ).decode((Int64, SQLBytes?, String?, Int?).self)
    var cases: [OpenDeadline] = []
    cases.reserveCapacity(rows.count)
    for (id, clocks, snapshot, deadline) in rows {
      cases.append(OpenDeadline(id: id, clocks: try StoredClocks.decode(clocks, orSnapshot: snapshot), storedDeadline: deadline))
    }
    return cases
  }

  /// Stores each case clock's running deadline and the indicators' copy of its deadline
  /// (migration 0009), one statement for all of them.
  public func setCaseDeadlines(_ changes: [(id: Int64, running: Int?, clock: Int?)]) async throws(StoreError) {
    guard !changes.isEmpty else { return }
    try await self.connection.execute(
      """
      UPDATE cases c SET deadline = to_timestamp(r.running), clock_deadline = to_timestamp(r.clock)
      FROM unnest(\(SQLArray(changes.map(\.id)))::bigint[], \(SQLArray(changes.map(\.running)))::bigint[],
        \(SQLArray(changes.map(\.clock)))::bigint[]) AS r(id, running, clock)
      WHERE c.id = r.id
      """
    )
  }

  /// Stores task running deadlines, one statement for all of them; returns how many changed
  /// (a task whose deadline was already so is not written).
  public func setTaskDeadlines(_ deadlines: [(caseID: Int64, task: Int, deadline: Int?)]) async throws(StoreError) -> Int {
    guard !deadlines.isEmpty else { return 0 }
    return try await self.connection.execute(
      """
      UPDATE case_tasks t SET deadline = to_timestamp(r.deadline)
      FROM unnest(\(SQLArray(deadlines.map(\.caseID)))::bigint[], \(SQLArray(deadlines.map(\.task)))::integer[],
        \(SQLArray(deadlines.map(\.deadline)))::bigint[]) AS r(case_id, number, deadline)
      WHERE t.case_id = r.case_id AND t.number = r.number AND t.deadline IS DISTINCT FROM to_timestamp(r.deadline)
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
