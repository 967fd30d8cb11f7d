import CivicDomain
public import CivicProtos
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.Catalog`: the service item catalogue with versions
/// draft → published → suspended ⇄ published → retired (rules in `CatalogItem`).
///
/// Every mutation locks the item row, compares the caller's expected item version (stale →
/// ABORTED), applies the domain transition, writes the changed versions and its audit row in
/// one transaction.
public struct CatalogService: Civicgrid_V1_Catalog.SimpleServiceProtocol {
  let store: StorePool

  public init(store: StorePool) { self.store = store }

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Catalog/SaveDraft": .roles([.admin]),
    "civicgrid.v1.Catalog/PublishVersion": .roles([.admin]),
    "civicgrid.v1.Catalog/SuspendVersion": .roles([.admin]),
    "civicgrid.v1.Catalog/RetireVersion": .roles([.admin]),
    "civicgrid.v1.Catalog/GetItem": .authenticated,
    "civicgrid.v1.Catalog/ListItems": .authenticated,
  ]

  public func saveDraft(request: Civicgrid_V1_SaveDraftRequest, context: ServerContext) async throws -> Civicgrid_V1_ItemVersion {
    guard request.hasDefinition else { throw Require.invalid("definition", "is required") }
    let definition = try CatalogMapping.definition(request.definition)
    guard request.expectedItemVersion >= 0 else { throw Require.invalid("expected_item_version", "must not be negative") }
    let caller = try RequestContext.principal()
    return try await self.store.transaction { connection in
      // A unit outside the caller's scope is answered like a missing one.
      let units = Self.units(of: definition)
      if let unknown = units.subtracting(try await Self.units(units, in: caller.scope, on: connection)).sorted().first {
        throw Require.invalid("definition.stages", "unit \(unknown) does not exist")
      }
      let old = try await CatalogStore.load(definition.code, on: connection, lock: true)
      if let old { try await Self.requireCovers(old.item, caller: caller, on: connection) }
      try Self.check(expected: request.expectedItemVersion, current: old?.version ?? 0, code: definition.code)
      var item = try old?.item ?? CatalogItem(code: definition.code)
      let number = try item.saveDraft(definition)
      let version = try await CatalogStore.save(old: old, new: item, on: connection)
      try await AuditLog.append(
        on: connection,
        object: "item/\(definition.code)",
        summary: "draft v\(number) saved (item version \(version))"
      )
      return CatalogMapping.message(try item.version(number), updatedAt: Date())
    }
  }

  public func publishVersion(request: Civicgrid_V1_ItemVersionRequest, context: ServerContext) async throws -> Civicgrid_V1_ItemVersion {
    try await self.transition(request, name: "published") { (item: inout CatalogItem, number: Int) throws(DomainError) in
      try item.publish(number)
    }
  }

  public func suspendVersion(request: Civicgrid_V1_ItemVersionRequest, context: ServerContext) async throws -> Civicgrid_V1_ItemVersion {
    try await self.transition(request, name: "suspended") { (item: inout CatalogItem, number: Int) throws(DomainError) in
      try item.suspend(number)
    }
  }

  public func retireVersion(request: Civicgrid_V1_ItemVersionRequest, context: ServerContext) async throws -> Civicgrid_V1_ItemVersion {
    try await self.transition(request, name: "retired") { (item: inout CatalogItem, number: Int) throws(DomainError) in
      try item.retire(number)
    }
  }

  public func getItem(request: Civicgrid_V1_GetItemRequest, context: ServerContext) async throws -> Civicgrid_V1_Item {
    let code = try Require.code("code", request.code)
    guard let stored = try await self.store.withConnection({ connection in try await CatalogStore.load(code, on: connection) }) else {
      throw RPCError(code: .notFound, message: "item \(code) not found")
    }
    return CatalogMapping.message(stored)
  }

  public func listItems(request: Civicgrid_V1_ListItemsRequest, context: ServerContext) async throws -> Civicgrid_V1_ListItemsResponse {
    let size = try Require.pageSize(request.pageSize, default: 100)
    let after = request.pageToken
    let rows = try await self.store.query(
      """
      SELECT i.code FROM catalog_items i
      WHERE i.code > $1
        AND ($2 = '' OR EXISTS (SELECT 1 FROM catalog_item_versions v WHERE v.item_code = i.code AND v.category = $2))
        AND (NOT $3 OR EXISTS (SELECT 1 FROM catalog_item_versions v WHERE v.item_code = i.code AND v.status = 'published'))
        -- The engine's internal kinds (orders, inspection findings, rectifications) are catalogue
        -- entries of category 'supervision'; they are listed only when asked for by category.
        AND ($2 = 'supervision'
             OR NOT EXISTS (SELECT 1 FROM catalog_item_versions v WHERE v.item_code = i.code AND v.category = 'supervision'))
      ORDER BY i.code LIMIT $4
      """,
      [after, request.category, request.publishedOnly, size + 1]
    ).rows
    let codes = try rows.map { try $0.decode(String.self, at: 0) }
    var response = Civicgrid_V1_ListItemsResponse()
    try await self.store.withConnection { connection in
      for code in codes.prefix(size) {
        guard let stored = try await CatalogStore.load(code, on: connection) else { continue }
        var message = CatalogMapping.message(stored)
        message.versions = Array(message.versions.suffix(1))
        response.items.append(message)
      }
    }
    if codes.count > size { response.nextPageToken = codes[size - 1] }
    return response
  }

  private func transition(
    _ request: Civicgrid_V1_ItemVersionRequest,
    name: String,
    _ apply: @Sendable @escaping (inout CatalogItem, Int) throws(DomainError) -> Void
  ) async throws -> Civicgrid_V1_ItemVersion {
    let code = try Require.code("code", request.code)
    guard request.version >= 1 else { throw Require.invalid("version", "must be at least 1, got \(request.version)") }
    let expected = Int64(try Require.version("expected_item_version", request.expectedItemVersion))
    let caller = try RequestContext.principal()
    return try await self.store.transaction { connection in
      guard let old = try await CatalogStore.load(code, on: connection, lock: true) else {
        throw RPCError(code: .notFound, message: "item \(code) not found")
      }
      try await Self.requireCovers(old.item, caller: caller, on: connection)
      try Self.check(expected: expected, current: old.version, code: code)
      var item = old.item
      try apply(&item, Int(request.version))
      let version = try await CatalogStore.save(old: old, new: item, on: connection)
      try await AuditLog.append(on: connection, object: "item/\(code)", summary: "v\(request.version) \(name) (item version \(version))")
      return CatalogMapping.message(try item.version(Int(request.version)), updatedAt: Date())
    }
  }

  // MARK: - Scope

  /// Every unit a definition names: its lead unit and its stages' units.
  static func units(of definition: CatalogItemDefinition) -> Set<String> {
    Set(definition.stages.flatMap(\.units).map(\.rawValue) + [definition.leadUnit.rawValue])
  }

  /// Which of `codes` exist inside `scope`.
  static func units(_ codes: Set<String>, in scope: UnitScope, on connection: StoreConnection) async throws -> Set<String> {
    let range = scope.sqlRange
    return Set(
      try await connection.query(
        "SELECT code FROM units WHERE code = ANY(string_to_array($1, ',')) AND path >= $2 AND path < $3",
        [codes.sorted().joined(separator: ","), range.lower, range.upper]
      ).rows.map { try $0.decode(String.self, at: 0) }
    )
  }

  /// An item is one object shared by every unit it names, in all its versions: changing it
  /// needs a scope that covers all of them.
  static func requireCovers(_ item: CatalogItem, caller: Principal, on connection: StoreConnection) async throws {
    let units = item.versions.reduce(into: Set<String>()) { $0.formUnion(Self.units(of: $1.definition)) }
    if let outside = units.subtracting(try await Self.units(units, in: caller.scope, on: connection)).sorted().first {
      throw RPCError(
        code: .permissionDenied,
        message: "item \(item.code) names unit \(outside), outside your scope: changing it needs a scope that covers every unit it names"
      )
    }
  }

  private static func check(expected: Int64, current: Int64, code: String) throws {
    guard expected == current else {
      throw RPCError(code: .aborted, message: "item \(code) is at version \(current), not \(expected); reload and retry")
    }
  }
}
