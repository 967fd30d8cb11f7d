public import CivicDomain
public import CivicStore
import Foundation

/// The service item catalogue (`catalog_items`, `catalog_item_versions` and their stage and
/// material rows). A version's definition is kept as JSON for exact round trips; the columns
/// and child rows are its projection for queries.
public struct CatalogRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The item with `code` and every version of it, or nil; `lock` holds its row until commit.
  /// A locked read takes the row first and reads the versions after it: a lock that waited on
  /// a concurrent change must see that change's versions, which one joined statement would
  /// not (PostgreSQL re-checks only the locked row).
  public func item(code: String, lock: Bool = false) async throws -> StoredCatalogItem? {
    guard lock else { return try await self.items(codes: [code]).first }
    let head = try await self.connection.query("SELECT version FROM catalog_items WHERE code = \(code) FOR UPDATE")
    guard let version = try head.scalar(Int64.self) else { return nil }
    let rows = try await self.connection.query(
      "SELECT version, status, definition::text, updated_at FROM catalog_item_versions WHERE item_code = \(code) ORDER BY version"
    ).decode((Int, String, String, Date).self)
    return try Self.stored(code: code, version: version, rows)
  }

  /// The items among `codes` with every version of each, ordered by code, unlocked: one
  /// statement for a whole page.
  public func items(codes: [String]) async throws -> [StoredCatalogItem] {
    guard !codes.isEmpty else { return [] }
    let rows = try await self.connection.query(
      """
      SELECT i.code, i.version, v.version, v.status, v.definition::text, v.updated_at
      FROM catalog_items i LEFT JOIN catalog_item_versions v ON v.item_code = i.code
      WHERE i.code = ANY(\(SQLArray(codes))::text[]) ORDER BY i.code, v.version
      """
    ).decode((String, Int64, Int?, String?, String?, Date?).self)
    var items: [StoredCatalogItem] = []
    var start = rows.startIndex
    while start < rows.endIndex {
      let code = rows[start].0
      let end = rows[start...].firstIndex { $0.0 != code } ?? rows.endIndex
      // An item without versions comes back once, with no version columns.
      let versions = rows[start..<end].compactMap { row -> (Int, String, String, Date)? in
        guard let number = row.2, let status = row.3, let json = row.4, let updated = row.5 else { return nil }
        return (number, status, json, updated)
      }
      items.append(try Self.stored(code: code, version: rows[start].1, versions))
      start = end
    }
    return items
  }

  /// An item from its row version and its version rows (version, status, definition, updated).
  private static func stored(code: String, version: Int64, _ rows: [(Int, String, String, Date)]) throws -> StoredCatalogItem {
    var versions: [CatalogItemVersion] = []
    var updated: [Int: Date] = [:]
    for (number, statusName, json, updatedAt) in rows {
      guard let status = ItemVersionStatus(rawValue: statusName) else { continue }
      versions.append(CatalogItemVersion(version: number, definition: try Self.definition(json), status: status))
      updated[number] = updatedAt
    }
    return StoredCatalogItem(item: try CatalogItem(code: code, versions: versions), version: version, updatedAt: updated)
  }

  /// Whether an item with `code` exists, published or not.
  public func exists(code: String) async throws(StoreError) -> Bool {
    try await self.connection.query("SELECT 1 FROM catalog_items WHERE code = \(code)").rows.isEmpty == false
  }

  /// The item's published version and its name, for intake; nil when it has none.
  public func published(code: String) async throws -> (CatalogItemVersion, name: String)? {
    let rows = try await self.connection.query(
      "SELECT version, definition::text FROM catalog_item_versions WHERE item_code = \(code) AND status = 'published'"
    ).decode((Int, String).self)
    guard let (number, json) = rows.first else { return nil }
    let definition = try DefinitionMemo.definition(of: code, json: json, decode: Self.definition)
    return (CatalogItemVersion(version: number, definition: definition, status: .published), definition.name)
  }

  /// A page of item codes after `code`: of `category` if not empty, with a published version
  /// if `publishedOnly`. The engine's internal kinds (orders, inspection findings,
  /// rectifications) are items of category `supervision`, listed only when asked for by category.
  public func codes(after code: String?, category: String, publishedOnly: Bool, limit: Int) async throws(StoreError) -> [String] {
    let after = code ?? ""
    return try await self.connection.query(
      """
      SELECT i.code FROM catalog_items i
      WHERE i.code > \(after)
        AND (\(category) = '' OR EXISTS (SELECT 1 FROM catalog_item_versions v WHERE v.item_code = i.code AND v.category = \(category)))
        AND (NOT \(publishedOnly) OR EXISTS (SELECT 1 FROM catalog_item_versions v WHERE v.item_code = i.code AND v.status = 'published'))
        AND (\(category) = 'supervision'
             OR NOT EXISTS (SELECT 1 FROM catalog_item_versions v WHERE v.item_code = i.code AND v.category = 'supervision'))
      ORDER BY i.code LIMIT \(limit)
      """
    ).column(String.self)
  }

  /// Writes the versions of `new` that differ from `old` and raises the item's row version; returns it.
  public func save(old: StoredCatalogItem?, new: CatalogItem) async throws -> Int64 {
    let version = (old?.version ?? 0) + 1
    if old == nil {
      try await self.connection.execute("INSERT INTO catalog_items (code, version) VALUES (\(new.code), \(version))")
    } else {
      try await self.connection.execute("UPDATE catalog_items SET version = \(version) WHERE code = \(new.code)")
    }
    let before = old?.item.versions ?? []
    // Retirements first, so the one-live-version index never sees two live versions.
    let changed = new.versions.filter { !before.contains($0) }.sorted { ($0.status == .retired ? 0 : 1) < ($1.status == .retired ? 0 : 1) }
    for itemVersion in changed {
      try await self.upsert(itemVersion, of: new.code)
      let previous = before.first { $0.version == itemVersion.version }
      guard previous?.definition != itemVersion.definition else { continue }
      try await self.replaceProjection(of: itemVersion, of: new.code)
    }
    return version
  }

  private func upsert(_ itemVersion: CatalogItemVersion, of code: String) async throws {
    let d = itemVersion.definition
    let json = String(decoding: try JSONEncoder().encode(d), as: UTF8.self)
    let channels = SQLArray(d.channels.map(\.rawValue).sorted())
    try await self.connection.execute(
      """
      INSERT INTO catalog_item_versions (item_code, version, status, name, category, kind, lead_unit_code,
        promised_working_days, channels, definition)
      VALUES (\(code), \(itemVersion.version), \(itemVersion.status.rawValue), \(d.name), \(d.category), \(d.kind.rawValue),
        \(d.leadUnit.rawValue), \(d.promisedWorkingDays), \(channels)::text[], \(json)::jsonb)
      ON CONFLICT (item_code, version) DO UPDATE SET status = EXCLUDED.status, name = EXCLUDED.name,
        category = EXCLUDED.category, kind = EXCLUDED.kind, lead_unit_code = EXCLUDED.lead_unit_code,
        promised_working_days = EXCLUDED.promised_working_days, channels = EXCLUDED.channels,
        definition = EXCLUDED.definition, updated_at = now()
      """
    )
  }

  /// Rewrites a version's stage and material rows from its definition, each set in one statement.
  private func replaceProjection(of itemVersion: CatalogItemVersion, of code: String) async throws(StoreError) {
    let d = itemVersion.definition
    let version = itemVersion.version
    try await self.connection.execute("DELETE FROM catalog_item_stages WHERE item_code = \(code) AND version = \(version)")
    try await self.connection.execute("DELETE FROM catalog_item_materials WHERE item_code = \(code) AND version = \(version)")
    let stages: [(Int, String, Int)] = d.stages.enumerated().flatMap { index, stage in stage.units.map { (index, $0.rawValue, stage.workingDays) } }
    if !stages.isEmpty {
      try await self.connection.execute(
        """
        INSERT INTO catalog_item_stages (item_code, version, stage, unit_code, working_days)
        SELECT \(code), \(version), s.stage, s.unit_code, s.working_days
        FROM unnest(\(SQLArray(stages.map { $0.0 }))::int[], \(SQLArray(stages.map { $0.1 }))::text[], \(SQLArray(stages.map { $0.2 }))::int[])
          AS s(stage, unit_code, working_days)
        """
      )
    }
    if !d.materials.isEmpty {
      let materials = d.materials
      try await self.connection.execute(
        """
        INSERT INTO catalog_item_materials (item_code, version, position, code, name, may_be_missing_at_acceptance)
        SELECT \(code), \(version), m.position - 1, m.code, m.name, m.optional
        FROM unnest(\(SQLArray(materials.map(\.code)))::text[], \(SQLArray(materials.map(\.name)))::text[],
          \(SQLArray(materials.map(\.mayBeMissingAtAcceptance)))::boolean[]) WITH ORDINALITY AS m(code, name, optional, position)
        """
      )
    }
  }

  private static func definition(_ json: String) throws -> CatalogItemDefinition {
    try JSONDecoder().decode(CatalogItemDefinition.self, from: Data(json.utf8))
  }
}
