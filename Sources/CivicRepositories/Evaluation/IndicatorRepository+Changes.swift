public import CivicStore

/// What changed since a target check (`TargetWatch`): the case event feed's sequence is the
/// watermark, since every kind's transition writes events.
extension IndicatorRepository {
  /// The newest case event's sequence (0 before the first).
  public func latestEventSequence() async throws(StoreError) -> Int64 {
    try await self.connection.query("SELECT coalesce(max(seq), 0)::bigint FROM case_events").scalar(Int64.self) ?? 0
  }

  /// The paths of the units the cases with events in (`after`, `upTo`] touch: each case's
  /// intake unit and its tasks' units.
  public func unitPathsTouched(after: Int64, upTo: Int64) async throws(StoreError) -> Set<String> {
    let rows = try await self.connection.query(
      """
      WITH changed AS (SELECT DISTINCT case_id, unit_path FROM case_events WHERE seq > \(after) AND seq <= \(upTo))
      SELECT unit_path FROM changed
      UNION
      SELECT u.path FROM changed c JOIN case_tasks t ON t.case_id = c.case_id JOIN units u ON u.id = t.unit_id
      """
    ).rows
    return Set(try rows.map { row throws(StoreError) in try row.decode(String.self, at: 0) })
  }

  /// The cases with events in (`after`, `upTo`].
  public func casesChanged(after: Int64, upTo: Int64) async throws(StoreError) -> Set<Int64> {
    let rows = try await self.connection.query(
      "SELECT DISTINCT case_id FROM case_events WHERE seq > \(after) AND seq <= \(upTo)"
    ).rows
    return Set(try rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) })
  }
}
