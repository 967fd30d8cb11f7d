import CivicDomain
import CivicStore
import Foundation

/// Loads and saves catalogue items (`catalog_items`, `catalog_item_versions` and their stage
/// and material rows). The definition is kept as JSON for exact round trips; the columns and
/// child rows are its projection for queries.
enum CatalogStore {
  struct Stored {
    var item: CatalogItem
    var version: Int64
    var updatedAt: [Int: Date]
  }

  static func load(_ code: String, on connection: StoreConnection, lock: Bool = false) async throws -> Stored? {
    let head = try await connection.query("SELECT version FROM catalog_items WHERE code = $1" + (lock ? " FOR UPDATE" : ""), [code])
    guard let version = try head.scalar(Int64.self) else { return nil }
    var versions: [CatalogItemVersion] = []
    var updated: [Int: Date] = [:]
    for row in try await connection.query(
      "SELECT version, status, definition::text, updated_at FROM catalog_item_versions WHERE item_code = $1 ORDER BY version", [code]
    ).rows {
      let number = try row.decode(Int.self, at: 0)
      guard let status = ItemVersionStatus(rawValue: try row.decode(String.self, at: 1)) else { continue }
      let definition = try JSONDecoder().decode(CatalogItemDefinition.self, from: Data(try row.decode(String.self, at: 2).utf8))
      versions.append(CatalogItemVersion(version: number, definition: definition, status: status))
      updated[number] = try row.decode(Date.self, at: 3)
    }
    return Stored(item: try CatalogItem(code: code, versions: versions), version: version, updatedAt: updated)
  }

  /// One published version, for intake; nil when the item has none.
  static func published(_ code: String, on connection: StoreConnection) async throws -> (CatalogItemVersion, name: String)? {
    let rows = try await connection.query(
      "SELECT version, definition::text FROM catalog_item_versions WHERE item_code = $1 AND status = 'published'", [code]
    ).rows
    guard let row = rows.first else { return nil }
    let definition = try JSONDecoder().decode(CatalogItemDefinition.self, from: Data(try row.decode(String.self, at: 1).utf8))
    return (CatalogItemVersion(version: try row.decode(Int.self, at: 0), definition: definition, status: .published), definition.name)
  }

  /// Writes the versions of `new` that differ from `old` and raises the item's version.
  static func save(old: Stored?, new: CatalogItem, on connection: StoreConnection) async throws -> Int64 {
    let version = (old?.version ?? 0) + 1
    if old == nil {
      try await connection.execute("INSERT INTO catalog_items (code, version) VALUES ($1, $2)", [new.code, version])
    } else {
      try await connection.execute("UPDATE catalog_items SET version = $2 WHERE code = $1", [new.code, version])
    }
    let before = old?.item.versions ?? []
    // Retirements first, so the one-live-version index never sees two live versions.
    let changed = new.versions.filter { !before.contains($0) }.sorted { ($0.status == .retired ? 0 : 1) < ($1.status == .retired ? 0 : 1) }
    for itemVersion in changed {
      let d = itemVersion.definition
      let json = String(decoding: try JSONEncoder().encode(d), as: UTF8.self)
      try await connection.execute(
        """
        INSERT INTO catalog_item_versions (item_code, version, status, name, category, kind, lead_unit_code,
          promised_working_days, channels, definition)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, string_to_array($9, ','), $10::jsonb)
        ON CONFLICT (item_code, version) DO UPDATE SET status = EXCLUDED.status, name = EXCLUDED.name,
          category = EXCLUDED.category, kind = EXCLUDED.kind, lead_unit_code = EXCLUDED.lead_unit_code,
          promised_working_days = EXCLUDED.promised_working_days, channels = EXCLUDED.channels,
          definition = EXCLUDED.definition, updated_at = now()
        """,
        [
          new.code, itemVersion.version, itemVersion.status.rawValue, d.name, d.category, d.kind.rawValue, d.leadUnit.rawValue,
          d.promisedWorkingDays, d.channels.map(\.rawValue).sorted().joined(separator: ","), json,
        ]
      )
      let previous = before.first { $0.version == itemVersion.version }
      guard previous?.definition != d else { continue }
      try await connection.execute("DELETE FROM catalog_item_stages WHERE item_code = $1 AND version = $2", [new.code, itemVersion.version])
      try await connection.execute("DELETE FROM catalog_item_materials WHERE item_code = $1 AND version = $2", [new.code, itemVersion.version])
      for (index, stage) in d.stages.enumerated() {
        for unit in stage.units {
          try await connection.execute(
            "INSERT INTO catalog_item_stages (item_code, version, stage, unit_code, working_days) VALUES ($1, $2, $3, $4, $5)",
            [new.code, itemVersion.version, index, unit.rawValue, stage.workingDays]
          )
        }
      }
      for (index, material) in d.materials.enumerated() {
        try await connection.execute(
          """
          INSERT INTO catalog_item_materials (item_code, version, position, code, name, may_be_missing_at_acceptance)
          VALUES ($1, $2, $3, $4, $5, $6)
          """,
          [new.code, itemVersion.version, index, material.code, material.name, material.mayBeMissingAtAcceptance]
        )
      }
    }
    return version
  }
}
