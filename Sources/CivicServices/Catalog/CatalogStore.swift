import CivicDomain
import CivicRepositories
import CivicStore

/// The catalogue as the case engine (and its test fixtures) read it; the SQL is `CatalogRepository`'s.
/// (Kept until the case engine calls the repository itself.)
enum CatalogStore {
  /// An item with every version, as the case engine's test fixtures read it.
  struct Stored: Sendable {
    var item: CatalogItem
  }

  /// The item with every version, or nil.
  static func load(_ code: String, on connection: StoreConnection) async throws -> Stored? {
    try await CatalogRepository(connection).item(code: code).map { Stored(item: $0.item) }
  }

  /// One published version, for intake; nil when the item has none.
  static func published(_ code: String, on connection: StoreConnection) async throws -> (CatalogItemVersion, name: String)? {
    try await CatalogRepository(connection).published(code: code)
  }
}
