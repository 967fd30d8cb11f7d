import CivicDomain
import CivicStore
import Foundation

/// Reads a case's clocks from `cases.clocks` (migration 0012), or from its JSON snapshot for a
/// row whose clocks column is NULL (one the migration could not read): readers select both as
/// `clocks` and `CASE WHEN clocks IS NULL THEN snapshot::text END`.
enum StoredClocks {
  static func decode(_ bytes: SQLBytes?, orSnapshot json: String?) throws(StoreError) -> CaseClocks {
    do {
      if let bytes { return try CaseClocks(bytes: bytes.bytes) }
      guard let json else { throw StoreError(code: .decoding, serverMessage: "case clocks: neither clocks nor snapshot") }
      return try JSONDecoder().decode(CaseClocks.self, from: Data(json.utf8))
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(code: .decoding, serverMessage: "case clocks: \(error)")
    }
  }
}
