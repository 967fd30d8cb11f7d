public import CivicDomain
public import CivicStore

extension PersonRepository {
  /// Sets one field of a person outside a merge (a clerk's correction, an accepted
  /// correction), keeps the history, settles the field's other pending corrections as
  /// superseded, and moves the person when the field is the grid (`grid` is then its unit).
  public func setField(
    _ personID: Int64, _ field: PersonField, to value: SourcedValue, old: String?, reason: String,
    grid: (id: Int64, path: String)?, at now: Instant
  ) async throws(StoreError) {
    try await self.upsertFields([(personID, field, value)])
    try await self.insertHistory([(personID, FieldChange(field: field, old: old, new: value.value, provenance: value.provenance))], reason: reason)
    try await self.connection.execute(
      """
      UPDATE person_corrections SET status = 'superseded', decided_by = \(value.provenance.collectedBy),
        decided_at = to_timestamp(\(now.secondsSinceEpoch)::bigint)
      WHERE person_id = \(personID) AND field = \(field.rawValue) AND status = 'pending'
      """
    )
    if let grid {
      try await self.connection.execute(
        "UPDATE people SET grid_unit_id = \(grid.id), grid_path = \(grid.path), updated_at = to_timestamp(\(now.secondsSinceEpoch)::bigint) WHERE id = \(personID)"
      )
    } else {
      try await self.connection.execute("UPDATE people SET updated_at = to_timestamp(\(now.secondsSinceEpoch)::bigint) WHERE id = \(personID)")
    }
  }

  static let correctionSelect: SQLQuery = """
    SELECT c.id, c.person_id, c.field, c.current_value, c.proposed_value, c.source, c.trust, c.collected_by,
      extract(epoch FROM c.collected_at)::bigint, c.status, p.grid_path
    FROM person_corrections c JOIN people p ON p.id = c.person_id
    """

  /// Pending corrections of people whose grid is in `range`, oldest first.
  public func pendingCorrections(range: (lower: String, upper: String), limit: Int) async throws(StoreError) -> [CorrectionRecord] {
    var query = Self.correctionSelect
    query.append(" WHERE c.status = 'pending' AND p.grid_path >= \(range.lower) AND p.grid_path < \(range.upper) ORDER BY c.id LIMIT \(limit)")
    return try await self.corrections(query)
  }

  /// One correction, locked for deciding.
  public func correction(_ id: Int64) async throws(StoreError) -> CorrectionRecord? {
    var query = Self.correctionSelect
    query.append(" WHERE c.id = \(id) FOR UPDATE OF c")
    return try await self.corrections(query).first
  }

  /// Marks a pending correction decided.
  public func decide(_ id: Int64, accepted: Bool, by login: String, note: String, at now: Instant) async throws(StoreError) {
    try await self.connection.execute(
      """
      UPDATE person_corrections SET status = \(accepted ? "accepted" : "rejected"), decided_by = \(login),
        decided_at = to_timestamp(\(now.secondsSinceEpoch)::bigint), note = \(note)
      WHERE id = \(id)
      """
    )
  }

  func corrections(_ query: SQLQuery) async throws(StoreError) -> [CorrectionRecord] {
    try await self.connection.query(query).decode((Int64, Int64, String, String, String, String, Int, String, Int, String, String).self).map {
      row throws(StoreError) in
      CorrectionRecord(
        id: row.0, personID: row.1, field: try Self.raw(row.2, "field"), current: row.3, proposed: row.4,
        provenance: try Self.provenance(row.5, row.6, row.7, row.8), status: row.9, gridPath: row.10
      )
    }
  }

  /// Adds tags to a person (a tag already there is kept as it is).
  public func addTags(_ personID: Int64, _ tags: [PersonTag]) async throws(StoreError) {
    try await self.insertTags(tags.map { (personID, $0) })
  }

  /// Sets the last day of one tag; false when the person has no such tag.
  public func endTag(_ personID: Int64, kind: TagKind, subtype: String, validFrom: CivilDate, on last: CivilDate) async throws(StoreError) -> Bool {
    try await self.connection.execute(
      """
      UPDATE person_tags SET valid_until = \(last.description)::date
      WHERE person_id = \(personID) AND kind = \(kind.rawValue) AND subtype = \(subtype) AND valid_from = \(validFrom.description)::date
      """
    ) == 1
  }
}

extension PersonRepository {
  /// The person a correction is about, if the correction exists.
  public func correctionPerson(_ id: Int64) async throws(StoreError) -> Int64? {
    try await self.connection.query("SELECT person_id FROM person_corrections WHERE id = \(id)").scalar(Int64.self)
  }
}
