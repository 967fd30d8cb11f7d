public import CivicDomain
public import CivicStore
import Foundation

/// The two forms a case snapshot is stored in (migration 0018).
public enum SnapshotForm: String, Sendable, CaseIterable {
  /// `snapshot_bytes`, `Case.storedBytes`: what the server writes.
  case binary
  /// `snapshot`, JSON: what servers before 0018 wrote and read.
  case json
}

extension CaseRepository {
  /// One batch of `civicgridd snapshots convert`: up to `limit` cases with an id above `after`
  /// whose snapshot is not in `target`'s form, rewritten in it, locked for the transaction the
  /// connection is in. Content does not change, so the transaction marks itself as a
  /// conversion and the sweeper's trigger leaves the cases' next sweep time alone.
  /// Returns the last id examined (nil when none was left) and how many were converted.
  public func convertSnapshots(to target: SnapshotForm, after: Int64, limit: Int) async throws -> (lastID: Int64?, converted: Int) {
    try await self.connection.execute("SET LOCAL civicgrid.snapshot_conversion = 'on'")
    let source: SQLQuery = target == .binary ? "snapshot IS NOT NULL" : "snapshot_bytes IS NOT NULL"
    let rows = try await self.connection.query(
      """
      SELECT id, \(StoredSnapshot.columns("cases")) FROM cases
      WHERE id > \(after) AND \(source) ORDER BY id LIMIT \(limit) FOR UPDATE
      """
    )
    var ids: [Int64] = []
    var values: [Case] = []
    for row in rows.rows {
      ids.append(try row.decode(Int64.self, column: "id"))
      values.append(try StoredSnapshot.decode(row: row))
    }
    guard let last = ids.last else { return (nil, 0) }
    switch target {
    case .binary:
      try await self.connection.execute(
        """
        UPDATE cases c SET snapshot_bytes = u.bytes, snapshot = NULL
        FROM unnest(\(SQLArray(ids))::bigint[], \(SQLArray(values.map(StoredSnapshot.encode)))::bytea[]) AS u (id, bytes)
        WHERE c.id = u.id
        """
      )
    case .json:
      // The JSON form as servers before migration 0018 wrote it (keys sorted).
      let texts = try values.map { try Self.json($0) }
      try await self.connection.execute(
        """
        UPDATE cases c SET snapshot = u.json::jsonb, snapshot_bytes = NULL
        FROM unnest(\(SQLArray(ids))::bigint[], \(SQLArray(texts))::text[]) AS u (id, json)
        WHERE c.id = u.id
        """
      )
    }
    return (last, ids.count)
  }

  /// How many cases have their snapshot in each form.
  public func snapshotForms() async throws(StoreError) -> [SnapshotForm: Int] {
    let (binary, json) = try await self.connection.query(
      "SELECT count(snapshot_bytes), count(snapshot) FROM cases"
    ).decode((Int, Int).self)[0]
    return [.binary: binary, .json: json]
  }
}
