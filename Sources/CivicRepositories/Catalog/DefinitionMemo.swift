import CivicDomain
import Foundation
import Synchronization

/// The last decoded definition of each catalogue item, by its exact JSON text.
///
/// Every intake reads its item's published definition; decoding the JSON each time was a
/// twelfth of SubmitApplication's CPU. The text is compared in full, so an edited or newly
/// published definition is never answered from here.
enum DefinitionMemo {
  private static let capacity = 1_000
  private static let entries = Mutex<[String: (json: String, definition: CatalogItemDefinition)]>([:])

  /// `json` decoded, from the memo when `code`'s last decoded text is the same.
  static func definition(of code: String, json: String, decode: (String) throws -> CatalogItemDefinition) throws -> CatalogItemDefinition {
    if let hit = self.entries.withLock({ $0[code] }), hit.json == json { return hit.definition }
    let definition = try decode(json)
    self.entries.withLock { entries in
      if entries.count >= self.capacity { entries.removeAll(keepingCapacity: true) }
      entries[code] = (json, definition)
    }
    return definition
  }
}
