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
