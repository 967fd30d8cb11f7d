public import CivicDomain
public import CivicStore

extension IndicatorRepository {
  /// Citizens' requests submitted before `end` that were open at `start` or had an event in or
  /// after it, with their snapshot (the tier tasks), their tiers and their first completion.
  public func requests(start: Int, end: Int) async throws(StoreError) -> [RequestFactRow] {
    try await self.connection.query(
      """
      SELECT c.id, c.jurisdiction, \(StoredSnapshot.columns("c")), array_to_string(r.tiers, ',') AS tiers,
        extract(epoch FROM c.completed_at)::bigint AS completed_at
      FROM citizen_requests r JOIN cases c ON c.id = r.case_id
      WHERE (c.is_open OR c.last_event_at >= to_timestamp(\(start)::bigint)) AND c.submitted_at < to_timestamp(\(end)::bigint)
      """
    ).decode(RequestFactRow.self)
  }
}

/// A request as the indicators read it.
public struct RequestFactRow: Sendable, SQLRecord {
  public var id: Int64
  public var jurisdiction: String
  public var value: Case
  public var tiers: [RequestTier]
  public var completedAt: Instant?

  public init(row: Row) throws(StoreError) {
    self.id = try row.decode(column: "id")
    self.jurisdiction = try row.decode(column: "jurisdiction")
    self.value = try StoredSnapshot.decode(row: row)
    self.tiers = try row.decode(String.self, column: "tiers").split(separator: ",").compactMap { RequestTier(rawValue: String($0)) }
    self.completedAt = try row.decode(Int?.self, column: "completed_at").map { Instant(secondsSinceEpoch: $0) }
  }
}
