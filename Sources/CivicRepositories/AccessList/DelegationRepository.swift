public import CivicDomain
public import CivicStore

/// The catalogue items delegated to service centres (`centre_items`, 事项下移).
public struct DelegationRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Refuses intake of `itemCode` at a centre that has delegated items, none of them this one.
  public func check(centreID: Int64, centreCode: String, itemCode: String) async throws {
    let row = try await self.connection.query(
      """
      SELECT count(*)::int, count(*) FILTER (WHERE item_code = \(itemCode))::int FROM centre_items WHERE centre_unit_id = \(centreID)
      """
    ).rows.first
    guard let counts = try row?.decode((Int, Int).self), counts.0 > 0, counts.1 == 0 else { return }
    throw DelegationRefusal(centreCode: centreCode, itemCode: itemCode)
  }

  /// The item codes delegated to a centre, sorted.
  public func items(centreID: Int64) async throws(StoreError) -> [String] {
    try await self.connection.query("SELECT item_code FROM centre_items WHERE centre_unit_id = \(centreID) ORDER BY item_code")
      .rows.map { row throws(StoreError) in try row.decode(String.self, at: 0) }
  }

  /// Replaces the items delegated to a centre.
  public func replace(centreID: Int64, with codes: [String], by login: String, at now: Instant) async throws(StoreError) {
    try await self.connection.execute("DELETE FROM centre_items WHERE centre_unit_id = \(centreID)")
    guard !codes.isEmpty else { return }
    try await self.connection.execute(
      """
      INSERT INTO centre_items (centre_unit_id, item_code, delegated_by, delegated_at)
      SELECT \(centreID), c, \(login), to_timestamp(\(now.secondsSinceEpoch)::bigint) FROM unnest(\(SQLArray(codes))::text[]) AS v (c)
      """
    )
  }
}
