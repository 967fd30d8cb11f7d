public import CivicDomain
public import CivicStore

/// The facts the dispute indicators count (docs/METRICS.md, "Dispute indicators"), for the
/// intake units in `range` and the instants in `window`; the domain filters and computes.
extension DisputeRepository {
  public func closings(range: (lower: String, upper: String), in window: Range<Instant>) async throws(StoreError) -> [DisputeIndicators.Closing] {
    let rows = try await self.connection.query(
      """
      SELECT case_id, unit_path, result, extract(epoch FROM closed_at)::bigint FROM disputes
      WHERE closed_at >= to_timestamp(\(window.lowerBound.secondsSinceEpoch)::bigint)
        AND closed_at < to_timestamp(\(window.upperBound.secondsSinceEpoch)::bigint)
        AND unit_path >= \(range.lower) AND unit_path < \(range.upper)
      ORDER BY case_id
      """
    ).decode((Int64, String, String, Int).self)
    return try rows.map { row throws(StoreError) in
      DisputeIndicators.Closing(caseID: row.0, unitPath: row.1, result: try Self.raw(row.2, "result"), closedAt: Instant(secondsSinceEpoch: row.3))
    }
  }

  public func followUps(range: (lower: String, upper: String), in window: Range<Instant>) async throws(StoreError) -> [DisputeIndicators.FollowUp] {
    try await self.connection.query(
      """
      SELECT r.case_id, r.task, d.unit_path, r.fulfilled, extract(epoch FROM r.fulfilment_at)::bigint
      FROM dispute_routes r JOIN disputes d ON d.case_id = r.case_id
      WHERE r.fulfilment_at >= to_timestamp(\(window.lowerBound.secondsSinceEpoch)::bigint)
        AND r.fulfilment_at < to_timestamp(\(window.upperBound.secondsSinceEpoch)::bigint)
        AND d.unit_path >= \(range.lower) AND d.unit_path < \(range.upper)
      ORDER BY r.case_id, r.task
      """
    ).decode((Int64, Int, String, Bool, Int).self).map {
      DisputeIndicators.FollowUp(caseID: $0.0, task: $0.1, unitPath: $0.2, fulfilled: $0.3, at: Instant(secondsSinceEpoch: $0.4))
    }
  }
}
