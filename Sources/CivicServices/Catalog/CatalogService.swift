import CivicDomain
public import CivicProtos
import CivicRepositories
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
  /// The clock reads take today from (whether a contract still covers a published item).
  let now: @Sendable () -> Instant

  public init(store: StorePool) {
    self.init(store: store, now: { .now })
  }

  init(store: StorePool, now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.now = now
  }

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Catalog/SaveDraft": .roles([.admin]),
    "civicgrid.v1.Catalog/PublishVersion": .roles([.admin]),
    "civicgrid.v1.Catalog/SuspendVersion": .roles([.admin]),
    "civicgrid.v1.Catalog/RetireVersion": .roles([.admin]),
    "civicgrid.v1.Catalog/GetItem": .authenticated,
    "civicgrid.v1.Catalog/ListItems": .authenticated,
  ]

  public func saveDraft(request: Civicgrid_V1_SaveDraftRequest, context: ServerContext) async throws -> Civicgrid_V1_ItemVersion {
    guard request.hasDefinition else { throw Validation.invalid("definition", "is required") }
    let definition = try CatalogMapping.definition(request.definition)
    guard request.expectedItemVersion >= 0 else { throw Validation.invalid("expected_item_version", "must not be negative") }
    let caller = try RequestContext.principal()
    return try await self.store.transaction { connection in
      // A unit outside the caller's scope is answered like a missing one.
      let units = Self.units(of: definition)
      if let unknown = units.subtracting(try await Self.units(units, in: caller.scope, on: connection)).sorted().first {
        throw Validation.invalid("definition.stages", "unit \(unknown) does not exist")
      }
      let catalog = CatalogRepository(connection)
      let old = try await catalog.item(code: definition.code, lock: true)
      if let old { try await Self.requireCovers(old.item, caller: caller, on: connection) }
      try Self.check(expected: request.expectedItemVersion, current: old?.version ?? 0, code: definition.code)
      var item = try old?.item ?? CatalogItem(code: definition.code)
      let number = try item.saveDraft(definition)
      let version = try await catalog.save(old: old, new: item)
      try await AuditLog.append(
        on: connection,
        object: "item/\(definition.code)",
        summary: "draft v\(number) saved (item version \(version))"
      )
      return CatalogMapping.message(try item.version(number), updatedAt: Date())
    }
  }

  public func publishVersion(request: Civicgrid_V1_ItemVersionRequest, context: ServerContext) async throws -> Civicgrid_V1_ItemVersion {
    try await self.transition(
      request, name: "published",
      { (item: inout CatalogItem, number: Int) throws(DomainError) in try item.publish(number) },
      // A version that would dispatch an item to a community off its access list is not
      // published (docs/ACCESS.md): the same check the engine makes when it assigns the task,
      // against the access-list item the version declares. Likewise one that would dispatch
      // it to a social organisation no service contract covers from today on (docs/CONTRACTS.md).
      check: { item, number, connection in
        let definition = try item.version(number).definition
        let units = definition.stages.flatMap(\.units).map(\.rawValue)
        try await AccessListRepository(connection).check(unitCodes: units, itemCode: definition.accessCode)
        try await ContractRepository(connection).checkPublication(unitCodes: units, itemCode: definition.code, from: PeopleService.day(of: .now))
      }
    )
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
    let code = try Validation.code(request.code, field: "code")
    let day = PeopleService.day(of: self.now())
    return try await self.store.withConnection { connection in
      guard let stored = try await CatalogRepository(connection).item(code: code) else { throw DomainError.notFound("item \(code)") }
      var items = [CatalogMapping.message(stored)]
      try await Self.markSuspensions(&items, on: day, connection: connection)
      return items[0]
    }
  }

  public func listItems(request: Civicgrid_V1_ListItemsRequest, context: ServerContext) async throws -> Civicgrid_V1_ListItemsResponse {
    let size = try Validation.pageSize(request.pageSize, defaultSize: 100)
    let after = try PageToken.decode(request.pageToken)?.parts[0]
    var response = Civicgrid_V1_ListItemsResponse()
    let codes = try await self.store.withConnection { connection in
      let catalog = CatalogRepository(connection)
      let codes = try await catalog.codes(after: after, category: request.category, publishedOnly: request.publishedOnly, limit: size + 1)
      for stored in try await catalog.items(codes: Array(codes.prefix(size))) {
        var message = CatalogMapping.message(stored)
        message.versions = Self.listed(message.versions)
        response.items.append(message)
      }
      try await Self.markSuspensions(&response.items, on: PeopleService.day(of: self.now()), connection: connection)
      return codes
    }
    if codes.count > size { response.nextPageToken = PageToken(after: codes[size - 1]).encoded }
    return response
  }

  /// The versions ListItems shows of an item: the latest, and before it the published one
  /// when a newer draft follows it, since that is the version intake takes (and may be
  /// suspended).
  static func listed(_ versions: [Civicgrid_V1_ItemVersion]) -> [Civicgrid_V1_ItemVersion] {
    guard let latest = versions.last else { return [] }
    guard let published = versions.last(where: { $0.status == .published }), published.version != latest.version else { return [latest] }
    return [published, latest]
  }

  private func transition(
    _ request: Civicgrid_V1_ItemVersionRequest,
    name: String,
    _ apply: @Sendable @escaping (inout CatalogItem, Int) throws(DomainError) -> Void,
    check: @Sendable @escaping (CatalogItem, Int, StoreConnection) async throws -> Void = { _, _, _ in }
  ) async throws -> Civicgrid_V1_ItemVersion {
    let code = try Validation.code(request.code, field: "code")
    guard request.version >= 1 else { throw Validation.invalid("version", "must be at least 1, got \(request.version)") }
    let expected = Int64(try Validation.version(request.expectedItemVersion, field: "expected_item_version"))
    let caller = try RequestContext.principal()
    return try await self.store.transaction { connection in
      let catalog = CatalogRepository(connection)
      guard let old = try await catalog.item(code: code, lock: true) else { throw DomainError.notFound("item \(code)") }
      try await Self.requireCovers(old.item, caller: caller, on: connection)
      try Self.check(expected: expected, current: old.version, code: code)
      var item = old.item
      try apply(&item, Int(request.version))
      try await check(item, Int(request.version), connection)
      let version = try await catalog.save(old: old, new: item)
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
    try await UnitRepository(connection).existing(codes, within: scope.sqlRange)
  }

  /// An item is one object shared by every unit it names, in all its versions: changing it
  /// needs a scope that covers all of them.
  static func requireCovers(_ item: CatalogItem, caller: Principal, on connection: StoreConnection) async throws {
    let units = item.versions.reduce(into: Set<String>()) { $0.formUnion(Self.units(of: $1.definition)) }
    if let outside = units.subtracting(try await Self.units(units, in: caller.scope, on: connection)).sorted().first {
      throw DomainError.permissionDenied(
        "item \(item.code) names unit \(outside), outside your scope: changing it needs a scope that covers every unit it names"
      )
    }
  }

  private static func check(expected: Int64, current: Int64, code: String) throws {
    guard expected == current else {
      throw DomainError.staleVersion(subject: "item \(code)", expected: Int(expected), current: Int(current))
    }
  }
}
