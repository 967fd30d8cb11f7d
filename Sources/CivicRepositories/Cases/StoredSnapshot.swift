import CivicDomain
import CivicStore
import Foundation

/// A case snapshot as its row holds it (migration 0018): `snapshot_bytes`, the binary form the
/// server writes (`Case.storedBytes`), or `snapshot`, the JSON of rows written before 0018 and
/// not converted since. Exactly one of the two is set; every reader goes through here.
enum StoredSnapshot {
  /// The columns `decode(row:)` reads, of the cases table aliased `alias` (trusted text).
  static func columns(_ alias: String) -> SQLQuery {
    "\(unescaped: alias).snapshot_bytes, \(unescaped: alias).snapshot::text AS snapshot"
  }

  /// The columns only `when` the condition (SQL over the same row) holds; NULL for both otherwise.
  static func columns(_ alias: String, when condition: String) -> SQLQuery {
    """
    CASE WHEN \(unescaped: condition) THEN \(unescaped: alias).snapshot_bytes END AS snapshot_bytes,
    CASE WHEN \(unescaped: condition) THEN \(unescaped: alias).snapshot::text END AS snapshot
    """
  }

  /// The value to write to `snapshot_bytes`.
  static func encode(_ value: Case) -> SQLBytes { SQLBytes(value.storedBytes) }

  /// The snapshot of a row selected with `columns`.
  static func decode(row: Row) throws(StoreError) -> Case {
    guard let value = try self.decodeIfPresent(row: row) else {
      throw StoreError(code: .decoding, serverMessage: "case snapshot: the row has neither snapshot_bytes nor snapshot")
    }
    return value
  }

  /// The snapshot of a row selected with `columns(_:when:)`, nil where the condition was false.
  static func decodeIfPresent(row: Row) throws(StoreError) -> Case? {
    let bytes = try row.decode(SQLBytes?.self, column: "snapshot_bytes")
    let json = try row.decode(String?.self, column: "snapshot")
    do {
      if let bytes { return try Case(storedBytes: bytes.bytes) }
      guard let json else { return nil }
      return try JSONDecoder().decode(Case.self, from: Data(json.utf8))
    } catch {
      throw StoreError(code: .decoding, serverMessage: "case snapshot: \(error)")
    }
  }
}
