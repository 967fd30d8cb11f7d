public import CivicDomain
public import CivicStore
import Foundation

/// People, their fields with provenance, history, corrections, tags and households
/// (`people`, `person_fields`, `person_field_history`, `person_corrections`, `person_tags`,
/// `households`). Writes run in the caller's transaction.
public struct PersonRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// Serialises writers of the same people: a transaction-scoped advisory lock per bucket of
  /// ID numbers (at most 256, taken in order, so two batches never wait on each other in a cycle).
  public func lock(_ idNumbers: [IDNumber]) async throws(StoreError) {
    try await self.connection.execute(
      """
      SELECT pg_advisory_xact_lock(1917, b) FROM (
        SELECT DISTINCT abs(hashtext(n)) % 256 AS b FROM unnest(\(SQLArray(idNumbers.map(\.text)))::text[]) n
      ) buckets ORDER BY b
      """
    )
  }

  /// The stored people with these ID numbers.
  public func load(idNumbers: [IDNumber]) async throws(StoreError) -> [IDNumber: StoredPerson] {
    let ids = try await self.connection.query(
      "SELECT id FROM people WHERE id_number = ANY(\(SQLArray(idNumbers.map(\.text)))::text[])"
    ).rows.map { row throws(StoreError) in try row.decode(Int64.self, at: 0) }
    return Dictionary(uniqueKeysWithValues: try await self.load(ids: ids).map { ($0.state.idNumber, $0) })
  }

  /// Writes what a batch merge decided: new people, field values, history, pending
  /// corrections, new tags and households. `grids` maps grid unit codes to their unit.
  /// Returns each merged person's id, in the order of `merges`.
  public func write(
    _ merges: [PersonMerge], grids: [String: (id: Int64, path: String)], at now: Instant
  ) async throws(StoreError) -> [Int64] {
    var ids = merges.map { $0.state.personID ?? 0 }
    let fresh = merges.indices.filter { merges[$0].state.personID == nil }
    if !fresh.isEmpty {
      let grid = try fresh.map { index throws(StoreError) in
        guard let code = merges[index].state.fields[.grid]?.value, let unit = grids[code] else {
          throw StoreError(code: .decoding, serverMessage: "people: a new person without a known grid")
        }
        return unit
      }
      let inserted = try await self.connection.query(
        """
        INSERT INTO people (id_number, grid_unit_id, grid_path, created_at, updated_at)
        SELECT n, g, p, to_timestamp(\(now.secondsSinceEpoch)::bigint), to_timestamp(\(now.secondsSinceEpoch)::bigint)
        FROM unnest(\(SQLArray(fresh.map { merges[$0].state.idNumber.text }))::text[], \(SQLArray(grid.map(\.id)))::bigint[],
          \(SQLArray(grid.map(\.path)))::text[]) AS v (n, g, p)
        RETURNING id, id_number
        """
      ).decode((Int64, String).self)
      let byNumber = Dictionary(uniqueKeysWithValues: inserted.map { ($0.1, $0.0) })
      for index in fresh { ids[index] = byNumber[merges[index].state.idNumber.text] ?? 0 }
    }
    // Existing people who moved grid, and the touched ones' update time.
    let moved = merges.indices.filter { merges[$0].state.personID != nil && merges[$0].writes[.grid] != nil }
    if !moved.isEmpty {
      let units = moved.compactMap { grids[merges[$0].writes[.grid]!.value] }
      guard units.count == moved.count else { throw StoreError(code: .decoding, serverMessage: "people: a grid that is not known") }
      try await self.connection.execute(
        """
        UPDATE people SET grid_unit_id = v.g, grid_path = v.p, updated_at = to_timestamp(\(now.secondsSinceEpoch)::bigint)
        FROM unnest(\(SQLArray(moved.map { ids[$0] }))::bigint[], \(SQLArray(units.map(\.id)))::bigint[], \(SQLArray(units.map(\.path)))::text[])
          AS v (id, g, p)
        WHERE people.id = v.id
        """
      )
    }
    var fieldRows: [(Int64, PersonField, SourcedValue)] = []
    var historyRows: [(Int64, FieldChange)] = []
    var proposalRows: [(Int64, FieldProposal)] = []
    var tagRows: [(Int64, PersonTag)] = []
    var households: [(String, (id: Int64, path: String))] = []
    for (index, merge) in merges.enumerated() {
      let id = ids[index]
      for (field, value) in merge.writes.sorted(by: { $0.key < $1.key }) { fieldRows.append((id, field, value)) }
      historyRows += merge.changes.map { (id, $0) }
      proposalRows += merge.proposals.map { (id, $0) }
      tagRows += merge.newTags.map { (id, $0) }
      if let household = merge.writes[.household]?.value, let code = merge.state.fields[.grid]?.value, let unit = grids[code] {
        households.append((household, unit))
      }
    }
    try await self.upsertFields(fieldRows)
    try await self.insertHistory(historyRows, reason: "merge")
    if !proposalRows.isEmpty {
      try await self.connection.execute(
        """
        INSERT INTO person_corrections (person_id, field, current_value, proposed_value, source, trust, collected_by, collected_at)
        SELECT i, f, c, p, s, t, b, to_timestamp(a)
        FROM unnest(\(SQLArray(proposalRows.map(\.0)))::bigint[], \(SQLArray(proposalRows.map(\.1.field.rawValue)))::text[],
          \(SQLArray(proposalRows.map(\.1.current)))::text[], \(SQLArray(proposalRows.map(\.1.proposed)))::text[],
          \(SQLArray(proposalRows.map(\.1.provenance.source.rawValue)))::text[], \(SQLArray(proposalRows.map(\.1.provenance.trust)))::int[],
          \(SQLArray(proposalRows.map(\.1.provenance.collectedBy)))::text[], \(SQLArray(proposalRows.map { Int64($0.1.provenance.collectedAt.secondsSinceEpoch) }))::bigint[])
          AS v (i, f, c, p, s, t, b, a)
        ON CONFLICT (person_id, field, proposed_value) WHERE status = 'pending' DO NOTHING
        """
      )
    }
    try await self.insertTags(tagRows)
    if !households.isEmpty {
      try await self.connection.execute(
        """
        INSERT INTO households (code, grid_unit_id, grid_path, created_at)
        SELECT DISTINCT ON (c) c, g, p, to_timestamp(\(now.secondsSinceEpoch)::bigint)
        FROM unnest(\(SQLArray(households.map(\.0)))::text[], \(SQLArray(households.map(\.1.id)))::bigint[], \(SQLArray(households.map(\.1.path)))::text[])
          AS v (c, g, p)
        ON CONFLICT (code) DO NOTHING
        """
      )
    }
    return ids
  }

  func upsertFields(_ rows: [(Int64, PersonField, SourcedValue)]) async throws(StoreError) {
    guard !rows.isEmpty else { return }
    try await self.connection.execute(
      """
      INSERT INTO person_fields (person_id, field, value, source, trust, collected_by, collected_at)
      SELECT i, f, v, s, t, b, to_timestamp(a)
      FROM unnest(\(SQLArray(rows.map(\.0)))::bigint[], \(SQLArray(rows.map(\.1.rawValue)))::text[], \(SQLArray(rows.map(\.2.value)))::text[],
        \(SQLArray(rows.map(\.2.provenance.source.rawValue)))::text[], \(SQLArray(rows.map(\.2.provenance.trust)))::int[],
        \(SQLArray(rows.map(\.2.provenance.collectedBy)))::text[], \(SQLArray(rows.map { Int64($0.2.provenance.collectedAt.secondsSinceEpoch) }))::bigint[])
        AS x (i, f, v, s, t, b, a)
      ON CONFLICT (person_id, field) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source, trust = EXCLUDED.trust,
        collected_by = EXCLUDED.collected_by, collected_at = EXCLUDED.collected_at
      """
    )
  }

  func insertHistory(_ rows: [(Int64, FieldChange)], reason: String) async throws(StoreError) {
    guard !rows.isEmpty else { return }
    try await self.connection.execute(
      """
      INSERT INTO person_field_history (person_id, field, old_value, new_value, source, trust, changed_by, changed_at, reason)
      SELECT i, f, o, n, s, t, b, to_timestamp(a), \(reason)
      FROM unnest(\(SQLArray(rows.map(\.0)))::bigint[], \(SQLArray(rows.map(\.1.field.rawValue)))::text[], \(SQLArray(rows.map(\.1.old)))::text[],
        \(SQLArray(rows.map(\.1.new)))::text[], \(SQLArray(rows.map(\.1.provenance.source.rawValue)))::text[],
        \(SQLArray(rows.map(\.1.provenance.trust)))::int[], \(SQLArray(rows.map(\.1.provenance.collectedBy)))::text[],
        \(SQLArray(rows.map { Int64($0.1.provenance.collectedAt.secondsSinceEpoch) }))::bigint[])
        WITH ORDINALITY AS x (i, f, o, n, s, t, b, a, k)
      ORDER BY k
      """
    )
  }

  func insertTags(_ rows: [(Int64, PersonTag)]) async throws(StoreError) {
    guard !rows.isEmpty else { return }
    try await self.connection.execute(
      """
      INSERT INTO person_tags (person_id, kind, subtype, valid_from, valid_until, source, trust, collected_by, collected_at)
      SELECT i, k, s, f::date, u::date, src, t, b, to_timestamp(a)
      FROM unnest(\(SQLArray(rows.map(\.0)))::bigint[], \(SQLArray(rows.map(\.1.kind.rawValue)))::text[], \(SQLArray(rows.map(\.1.subtype)))::text[],
        \(SQLArray(rows.map(\.1.validFrom.description)))::text[], \(SQLArray(rows.map { $0.1.validUntil?.description }))::text[],
        \(SQLArray(rows.map(\.1.provenance.source.rawValue)))::text[], \(SQLArray(rows.map(\.1.provenance.trust)))::int[],
        \(SQLArray(rows.map(\.1.provenance.collectedBy)))::text[], \(SQLArray(rows.map { Int64($0.1.provenance.collectedAt.secondsSinceEpoch) }))::bigint[])
        AS x (i, k, s, f, u, src, t, b, a)
      ON CONFLICT (person_id, kind, subtype, valid_from) DO NOTHING
      """
    )
  }

  static func raw<Value: RawRepresentable>(_ text: String, _ column: String) throws(StoreError) -> Value where Value.RawValue == String {
    guard let value = Value(rawValue: text) else { throw StoreError(code: .decoding, serverMessage: "people: \(column) \(text)") }
    return value
  }

  static func provenance(_ source: String, _ trust: Int, _ by: String, _ at: Int) throws(StoreError) -> Provenance {
    Provenance(source: try Self.raw(source, "source"), trust: trust, collectedBy: by, collectedAt: Instant(secondsSinceEpoch: at))
  }
}
