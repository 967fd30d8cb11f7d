public import CivicDomain
public import CivicStore

/// The facts the field-event indicators count (docs/METRICS.md, "Field events"): events of
/// the grids in `range` reported, due or handled in `window` or after it began; the domain
/// filters and computes.
extension FieldEventRepository {
  public func indicatorFacts(range: (lower: String, upper: String), in window: Range<Instant>) async throws(StoreError)
    -> [FieldEventIndicators.Fact]
  {
    let start = window.lowerBound.secondsSinceEpoch
    let end = window.upperBound.secondsSinceEpoch
    let rows = try await self.connection.query(
      """
      SELECT case_id, grid_path, category, extract(epoch FROM reported_at)::bigint,
        extract(epoch FROM due_at)::bigint, extract(epoch FROM handled_at)::bigint, self_handled
      FROM field_events
      WHERE grid_path >= \(range.lower) AND grid_path < \(range.upper)
        AND reported_at < to_timestamp(\(end)::bigint)
        AND (reported_at >= to_timestamp(\(start)::bigint) OR due_at >= to_timestamp(\(start)::bigint)
          OR handled_at >= to_timestamp(\(start)::bigint))
      ORDER BY case_id
      """
    ).decode((Int64, String, String, Int, Int?, Int?, Bool).self)
    return try rows.map { row throws(StoreError) in
      guard let category = FieldEventCategory(rawValue: row.2) else {
        throw StoreError(code: .decoding, serverMessage: "field_events row has an unknown category")
      }
      return FieldEventIndicators.Fact(
        caseID: row.0,
        gridPath: row.1,
        category: category,
        reportedAt: Instant(secondsSinceEpoch: row.3),
        dueAt: row.4.map(Instant.init(secondsSinceEpoch:)),
        handledAt: row.5.map(Instant.init(secondsSinceEpoch:)),
        selfHandled: row.6
      )
    }
  }
}
