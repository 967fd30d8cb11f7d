public import CivicDomain
public import CivicStore

/// Import batches per account and key (`person_import_batches`, `person_import_rows`): a
/// batch is claimed, written and reported in one transaction, so it exists whole or not at all.
public struct ImportBatchRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Claims `key` for `accountID`: true when it is new. A concurrent claim of the same key
  /// waits for the first transaction and then answers false.
  public func claim(accountID: Int64, key: String, source: ProvenanceSource, at now: Instant) async throws(StoreError) -> Bool {
    try await self.connection.execute(
      """
      INSERT INTO person_import_batches (account_id, batch_key, source, imported_at)
      VALUES (\(accountID), \(key), \(source.rawValue), to_timestamp(\(now.secondsSinceEpoch)::bigint))
      ON CONFLICT (account_id, batch_key) DO NOTHING
      """
    ) == 1
  }

  /// The report of a batch, row by row.
  public func report(accountID: Int64, key: String) async throws(StoreError) -> [ImportRowRecord] {
    try await self.connection.query(
      """
      SELECT row_index, outcome, person_id, field, reason FROM person_import_rows
      WHERE account_id = \(accountID) AND batch_key = \(key) ORDER BY row_index
      """
    ).decode((Int, String, Int64?, String, String).self).map { ImportRowRecord(row: $0.0, outcome: $0.1, personID: $0.2, field: $0.3, reason: $0.4) }
  }

  /// Records the report of a claimed batch.
  public func record(accountID: Int64, key: String, rows: [ImportRowRecord]) async throws(StoreError) {
    guard !rows.isEmpty else { return }
    try await self.connection.execute(
      """
      INSERT INTO person_import_rows (account_id, batch_key, row_index, outcome, person_id, field, reason)
      SELECT \(accountID), \(key), r, o, p, f, w
      FROM unnest(\(SQLArray(rows.map(\.row)))::int[], \(SQLArray(rows.map(\.outcome)))::text[], \(SQLArray(rows.map(\.personID)))::bigint[],
        \(SQLArray(rows.map(\.field)))::text[], \(SQLArray(rows.map(\.reason)))::text[]) AS v (r, o, p, f, w)
      """
    )
  }
}
