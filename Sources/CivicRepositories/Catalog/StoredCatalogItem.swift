public import CivicDomain
public import Foundation

/// A catalogue item as stored: the domain item, its row version (optimistic concurrency) and
/// when each of its versions last changed.
public struct StoredCatalogItem: Sendable {
  public var item: CatalogItem
  public var version: Int64
  public var updatedAt: [Int: Date]
}
