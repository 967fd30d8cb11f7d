public import CivicDomain
public import CivicStore

/// The facts of the periodic dispute report (docs/DISPUTES.md, "Reports"): the disputes of the
/// intake units in `range` submitted or closed in `window`, and their routes opened or ended in it.
extension DisputeRepository {
  public func reportFacts(range: (lower: String, upper: String), in window: Range<Instant>) async throws(StoreError)
    -> (disputes: [DisputeReport.DisputeFact], routes: [DisputeReport.RouteFact])
  {
    let start = window.lowerBound.secondsSinceEpoch
    let end = window.upperBound.secondsSinceEpoch
    let disputes = try await self.connection.query(
      """
      SELECT d.case_id, d.type, u.code, extract(epoch FROM d.submitted_at)::bigint, extract(epoch FROM d.closed_at)::bigint, d.result
      FROM disputes d JOIN units u ON u.id = d.unit_id
      WHERE d.unit_path >= \(range.lower) AND d.unit_path < \(range.upper)
        AND ((d.submitted_at >= to_timestamp(\(start)::bigint) AND d.submitted_at < to_timestamp(\(end)::bigint))
          OR (d.closed_at >= to_timestamp(\(start)::bigint) AND d.closed_at < to_timestamp(\(end)::bigint)))
      ORDER BY d.case_id
      """
    ).decode((Int64, String, String, Int, Int?, String?).self)
    let routes = try await self.connection.query(
      """
      SELECT r.case_id, r.channel, extract(epoch FROM v.recorded_at)::bigint, r.outcome, extract(epoch FROM r.outcome_at)::bigint
      FROM dispute_routes r JOIN disputes d ON d.case_id = r.case_id
        JOIN dispute_reviews v ON v.case_id = r.case_id AND v.round = r.round
      WHERE d.unit_path >= \(range.lower) AND d.unit_path < \(range.upper)
        AND ((v.recorded_at >= to_timestamp(\(start)::bigint) AND v.recorded_at < to_timestamp(\(end)::bigint))
          OR (r.outcome_at >= to_timestamp(\(start)::bigint) AND r.outcome_at < to_timestamp(\(end)::bigint)))
      ORDER BY r.case_id, r.task
      """
    ).decode((Int64, String, Int, String?, Int?).self)
    return (
      try disputes.map { row throws(StoreError) in
        DisputeReport.DisputeFact(
          caseID: row.0,
          type: try Self.raw(row.1, "type"),
          unitCode: row.2,
          submittedAt: Instant(secondsSinceEpoch: row.3),
          closedAt: row.4.map { Instant(secondsSinceEpoch: $0) },
          result: try row.5.map { text throws(StoreError) in try Self.raw(text, "result") }
        )
      },
      try routes.map { row throws(StoreError) in
        DisputeReport.RouteFact(
          caseID: row.0,
          channel: try Self.raw(row.1, "channel"),
          openedAt: Instant(secondsSinceEpoch: row.2),
          outcome: try row.3.map { text throws(StoreError) in try Self.raw(text, "outcome") },
          outcomeAt: row.4.map { Instant(secondsSinceEpoch: $0) }
        )
      }
    )
  }
}
