public import CivicDomain
public import CivicStore

/// The facts of the training indicator (docs/METRICS.md, indicator 17): the grid workers of
/// the units in `range` and their training records around a window; the domain filters and
/// computes.
extension GridRepository {
  /// Enabled accounts with the `grid_worker` role whose unit is in `range`, by login.
  public func gridWorkers(range: (lower: String, upper: String)) async throws(StoreError) -> [GridTrainingIndicator.Worker] {
    try await self.connection.query(
      """
      SELECT a.login, u.path FROM accounts a JOIN units u ON u.id = a.unit_id
      WHERE 'grid_worker' = ANY(a.roles) AND NOT a.disabled AND u.path >= \(range.lower) AND u.path < \(range.upper)
      ORDER BY a.login
      """
    ).decode((String, String).self).map { GridTrainingIndicator.Worker(login: $0.0, unitPath: $0.1) }
  }

  /// Training records of those workers dated within a day of `window` (a margin for the
  /// time zone: the caller places each date in its jurisdiction's days), oldest first.
  public func trainingDays(range: (lower: String, upper: String), around window: Range<Instant>) async throws(StoreError)
    -> [(login: String, date: CivilDate, hours: Double)]
  {
    let rows = try await self.connection.query(
      """
      SELECT t.login, t.taken_on::text, t.hours::float8
      FROM grid_training t JOIN accounts a ON a.login = t.login JOIN units u ON u.id = a.unit_id
      WHERE 'grid_worker' = ANY(a.roles) AND NOT a.disabled AND u.path >= \(range.lower) AND u.path < \(range.upper)
        AND t.taken_on >= (to_timestamp(\(window.lowerBound.secondsSinceEpoch)::bigint) - interval '1 day')::date
        AND t.taken_on <= (to_timestamp(\(window.upperBound.secondsSinceEpoch)::bigint) + interval '1 day')::date
      ORDER BY t.taken_on, t.id
      """
    ).decode((String, String, Double).self)
    return try rows.map { row throws(StoreError) in
      guard let date = CivilDate(row.1) else { throw StoreError(code: .decoding, serverMessage: "grid_training row has a malformed date") }
      return (login: row.0, date: date, hours: row.2)
    }
  }
}
