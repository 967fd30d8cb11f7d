public import CivicDomain
public import CivicStore
import Foundation

/// A person as a read shows them: what is stored, and how many corrections wait for a clerk.
public struct FoundPerson: Sendable, Hashable {
  public var person: StoredPerson
  public var pendingCorrections: Int
}

extension PersonRepository {
  /// The stored people with these ids, in the order of `ids`, in one statement.
  public func load(ids: [Int64]) async throws(StoreError) -> [StoredPerson] {
    guard !ids.isEmpty else { return [] }
    let found = try await self.loaded(
      "SELECT id, id_number, grid_path, 0 AS pending FROM people WHERE id = ANY(\(SQLArray(ids))::bigint[])", pending: false
    )
    let byID = Dictionary(found.map { ($0.person.personID, $0.person) }, uniquingKeysWith: { first, _ in first })
    return ids.compactMap { byID[$0] }
  }

  /// People whose grid is in `range`, above `after`, ascending, matching every filter given
  /// (an exact ID number, a name prefix, a grid subtree, a tag kind active on `day`), loaded
  /// whole with their pending corrections in one statement: one round trip per page.
  ///
  /// Only the filters given are in the statement's text, so each combination is its own
  /// prepared statement whose generic plan suits it (an ID number: the unique index).
  public func find(
    range: (lower: String, upper: String),
    idNumber: IDNumber?,
    namePrefix: String?,
    gridPath: String?,
    tag: TagKind?,
    day: CivilDate,
    after: Int64,
    limit: Int
  ) async throws(StoreError) -> [FoundPerson] {
    var filter: SQLQuery = "p.grid_path >= \(range.lower) AND p.grid_path < \(range.upper)"
    if after > 0 { filter.append(" AND p.id > \(after)") }
    if let idNumber { filter.append(" AND p.id_number = \(idNumber.text)") }
    if let namePrefix {
      let pattern = namePrefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
        .replacingOccurrences(of: "_", with: "\\_") + "%"
      filter.append(" AND EXISTS (SELECT 1 FROM person_fields f WHERE f.person_id = p.id AND f.field = 'name' AND f.value LIKE \(pattern))")
    }
    if let gridPath { filter.append(" AND p.grid_path LIKE \(gridPath + "%")") }
    if let tag {
      filter.append(
        """
         AND EXISTS (SELECT 1 FROM person_tags t WHERE t.person_id = p.id AND t.kind = \(tag.rawValue)
          AND t.valid_from <= \(day.description)::date AND (t.valid_until IS NULL OR t.valid_until >= \(day.description)::date))
        """
      )
    }
    return try await self.loaded("SELECT p.id, p.id_number, p.grid_path, 0 AS pending FROM people p WHERE \(filter) ORDER BY p.id LIMIT \(limit)")
  }

  /// The people `found` selects (`id, id_number, grid_path` and a placeholder column), with
  /// their fields, tags and (`pending`) pending corrections, in `found`'s order: one
  /// statement whose rows are tagged by part (0 the person, 1 a field, 2 a tag).
  private func loaded(_ found: SQLQuery, pending: Bool = true) async throws(StoreError) -> [FoundPerson] {
    let count: SQLQuery =
      pending
      ? "(SELECT count(*) FROM person_corrections c WHERE c.person_id = found.id AND c.status = 'pending')::text"
      : "'0'"
    let rows = try await self.connection.query(
      """
      WITH found AS MATERIALIZED (\(found))
      SELECT 0, found.id, found.id_number, found.grid_path, \(count), NULL, NULL, NULL, NULL, NULL FROM found
      UNION ALL
      SELECT 1, f.person_id, f.field, f.value, f.source, f.trust::text, f.collected_by, extract(epoch FROM f.collected_at)::bigint::text, NULL, NULL
      FROM person_fields f JOIN found ON found.id = f.person_id
      UNION ALL
      SELECT 2, t.person_id, t.kind, t.subtype, t.valid_from::text, t.valid_until::text, t.source, t.trust::text, t.collected_by,
        extract(epoch FROM t.collected_at)::bigint::text
      FROM person_tags t JOIN found ON found.id = t.person_id
      ORDER BY 1, 2, 5, 3, 4
      """
    ).decode((Int, Int64, String, String?, String?, String?, String?, String?, String?, String?).self)
    var order: [Int64] = []
    var people: [Int64: FoundPerson] = [:]
    for row in rows {
      let id = row.1
      switch row.0 {
      case 0:
        guard let idNumber = IDNumber(row.2), let path = row.3, let pending = row.4.flatMap(Int.init) else {
          throw StoreError(code: .decoding, serverMessage: "people: person \(id)")
        }
        order.append(id)
        people[id] = FoundPerson(person: StoredPerson(state: PersonState(personID: id, idNumber: idNumber), gridPath: path), pendingCorrections: pending)
      case 1:
        guard let value = row.3, let source = row.4, let trust = row.5.flatMap(Int.init), let by = row.6, let at = row.7.flatMap(Int.init) else {
          throw StoreError(code: .decoding, serverMessage: "person_fields: person \(id)")
        }
        let field: PersonField = try Self.raw(row.2, "field")
        people[id]?.person.state.fields[field] = SourcedValue(value, try Self.provenance(source, trust, by, at))
      default:
        guard let subtype = row.3, let from = row.4.flatMap(CivilDate.init), let source = row.6, let trust = row.7.flatMap(Int.init),
          let by = row.8, let at = row.9.flatMap(Int.init)
        else { throw StoreError(code: .decoding, serverMessage: "person_tags: person \(id)") }
        let tag = PersonTag(
          kind: try Self.raw(row.2, "kind"), subtype: subtype, validFrom: from, validUntil: row.5.flatMap(CivilDate.init),
          provenance: try Self.provenance(source, trust, by, at)
        )
        people[id]?.person.state.tags.append(tag)
      }
    }
    return order.compactMap { people[$0] }
  }
}
