import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension AccessListService {
  public func setDelegatedItems(request: Civicgrid_V1_SetDelegatedItemsRequest, context: ServerContext) async throws -> Civicgrid_V1_DelegatedItems {
    let principal = try RequestContext.principal()
    let code = try Validation.code(request.centreUnitCode, field: "centre_unit_code")
    guard request.itemCodes.count <= 500 else { throw Require.invalid("item_codes", "must hold at most 500 codes") }
    var codes: [String] = []
    for (index, item) in request.itemCodes.enumerated() {
      let checked = try Validation.code(item, field: "item_codes[\(index)]")
      guard !codes.contains(checked) else { throw Require.invalid("item_codes[\(index)]", "\(checked) is listed twice") }
      codes.append(checked)
    }
    let now = self.now()
    return try await self.store.transaction { connection in
      let centre = try await Self.centre(code, within: principal.scope.sqlRange, on: connection)
      for (index, item) in codes.enumerated() where !(try await CatalogRepository(connection).exists(code: item)) {
        throw Require.invalid("item_codes[\(index)]", "item \(item) is not in the catalogue")
      }
      let delegations = DelegationRepository(connection)
      try await delegations.replace(centreID: centre.id, with: codes, by: principal.login, at: now)
      try await AuditLog.append(
        on: connection, object: "centre-items/\(code)", summary: "delegated \(codes.count) items: \(codes.sorted().joined(separator: ", "))"
      )
      return Self.message(code, try await delegations.items(centreID: centre.id))
    }
  }

  public func listDelegatedItems(request: Civicgrid_V1_ListDelegatedItemsRequest, context: ServerContext) async throws -> Civicgrid_V1_DelegatedItems {
    let principal = try RequestContext.principal()
    let code = try Validation.code(request.centreUnitCode, field: "centre_unit_code")
    return try await self.store.withConnection { connection in
      // In scope only: a unit outside it reads like a missing one (ScopeOracleTests).
      let centre = try await Self.centre(code, within: principal.scope.sqlRange, on: connection)
      return Self.message(code, try await DelegationRepository(connection).items(centreID: centre.id))
    }
  }

  /// A unit of kind centre in `range`; anything else is INVALID_ARGUMENT naming centre_unit_code.
  static func centre(_ code: String, within range: UnitPathRange, on connection: StoreConnection) async throws -> UnitRecord {
    guard let unit = try await UnitRepository(connection).unit(code: code, within: range) else {
      throw Require.invalid("centre_unit_code", "unit \(code) not found in your scope")
    }
    guard unit.kind == "centre" else { throw Require.invalid("centre_unit_code", "\(code) is a \(unit.kind), not a service centre") }
    return unit
  }

  static func message(_ code: String, _ items: [String]) -> Civicgrid_V1_DelegatedItems {
    var m = Civicgrid_V1_DelegatedItems()
    m.centreUnitCode = code
    m.itemCodes = items
    return m
  }
}
