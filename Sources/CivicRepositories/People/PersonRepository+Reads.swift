public import CivicDomain
public import CivicStore
import Foundation

extension PersonRepository {
  /// The history of a person's fields, oldest first (at most `limit` newest entries).
  public func history(_ personID: Int64, limit: Int = 200) async throws(StoreError) -> [FieldHistoryRecord] {
    let rows = try await self.connection.query(
      """
      SELECT field, old_value, new_value, source, trust, changed_by, extract(epoch FROM changed_at)::bigint FROM (
        SELECT * FROM person_field_history WHERE person_id = \(personID) ORDER BY id DESC LIMIT \(limit)
      ) h ORDER BY id
      """
    ).decode((String, String?, String, String, Int, String, Int).self)
    return try rows.map { row throws(StoreError) in
      FieldHistoryRecord(field: try Self.raw(row.0, "field"), old: row.1, new: row.2, provenance: try Self.provenance(row.3, row.4, row.5, row.6))
    }
  }

  /// How many corrections of each of `ids` are pending.
  public func pendingCorrections(_ ids: [Int64]) async throws(StoreError) -> [Int64: Int] {
    let rows = try await self.connection.query(
      "SELECT person_id, count(*)::int FROM person_corrections WHERE status = 'pending' AND person_id = ANY(\(SQLArray(ids))::bigint[]) GROUP BY person_id"
    ).decode((Int64, Int).self)
    return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) })
  }

  /// Ids of people whose grid is in `range`, above `after`, ascending, matching every filter
  /// given: an exact ID number, a name prefix, a grid subtree, a tag kind active on `day`.
  public func find(
    range: (lower: String, upper: String),
    idNumber: IDNumber?,
    namePrefix: String?,
    gridPath: String?,
    tag: TagKind?,
    day: CivilDate,
    after: Int64,
    limit: Int
  ) async throws(StoreError) -> [Int64] {
    let escaped = namePrefix.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
    return try await self.connection.query(
      """
      SELECT p.id FROM people p
      WHERE p.id > \(after) AND p.grid_path >= \(range.lower) AND p.grid_path < \(range.upper)
        AND (\(idNumber?.text)::text IS NULL OR p.id_number = \(idNumber?.text))
        AND (\(escaped)::text IS NULL OR EXISTS (
          SELECT 1 FROM person_fields f WHERE f.person_id = p.id AND f.field = 'name' AND f.value LIKE \(escaped)))
        AND (\(gridPath)::text IS NULL OR p.grid_path LIKE \(gridPath.map { $0 + "%" }))
        AND (\(tag?.rawValue)::text IS NULL OR EXISTS (
          SELECT 1 FROM person_tags t WHERE t.person_id = p.id AND t.kind = \(tag?.rawValue)
            AND t.valid_from <= \(day.description)::date AND (t.valid_until IS NULL OR t.valid_until >= \(day.description)::date)))
      ORDER BY p.id LIMIT \(limit)
      """
    ).rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) }
  }

  /// The id of the person with this ID number, if any.
  public func id(of idNumber: IDNumber) async throws(StoreError) -> Int64? {
    try await self.connection.query("SELECT id FROM people WHERE id_number = \(idNumber.text)").scalar(Int64.self)
  }

  /// Members of a household (people whose `household` field is `code`), in id order, with
  /// the household's grid path; nil when no household has the code.
  public func household(_ code: String) async throws(StoreError) -> (gridPath: String, gridCode: String, members: [Int64])? {
    guard
      let row = try await self.connection.query(
        "SELECT h.grid_path, u.code FROM households h JOIN units u ON u.id = h.grid_unit_id WHERE h.code = \(code)"
      ).rows.first
    else { return nil }
    let (path, gridCode) = try row.decode((String, String).self)
    let members = try await self.connection.query(
      "SELECT person_id FROM person_fields WHERE field = 'household' AND value = \(code) ORDER BY person_id"
    ).rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) }
    return (path, gridCode, members)
  }
}
