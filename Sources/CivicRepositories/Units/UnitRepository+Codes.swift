public import CivicStore

extension UnitRepository {
  /// Id and path of each of `codes` that names a unit whose path lies in `range`.
  public func idsAndPaths(_ codes: Set<String>, within range: UnitPathRange) async throws(StoreError) -> [String: (id: Int64, path: String)] {
    guard !codes.isEmpty else { return [:] }
    let rows = try await self.connection.query(
      """
      SELECT code, id, path FROM units
      WHERE code = ANY(\(SQLArray(codes.sorted()))::text[]) AND path >= \(range.lower) AND path < \(range.upper)
      """
    ).decode((String, Int64, String).self)
    return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, (id: $0.1, path: $0.2)) })
  }
}
