public import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.Grids`: grids' profiles and published cards, grid workers' training and the
/// periodic analysis of field events (docs/GRID.md).
public struct GridsService: Civicgrid_V1_Grids.SimpleServiceProtocol {
  let store: StorePool

  public init(store: StorePool) { self.store = store }

  static let readers: Set<Role> = [.gridWorker, .handler, .supervisor, .admin, .auditor]

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Grids/SetGridProfile": .roles([.admin, .supervisor]),
    "civicgrid.v1.Grids/GetGridProfile": .roles(readers),
    // Partner apps show the card to residents.
    "civicgrid.v1.Grids/GetGridCard": .authenticated,
    "civicgrid.v1.Grids/RecordTraining": .roles([.admin, .supervisor]),
    "civicgrid.v1.Grids/ListTraining": .roles(readers),
    "civicgrid.v1.Grids/GetGridStats": .roles(readers),
  ]

  /// Grid `code` in the caller's scope, or INVALID_ARGUMENT naming `field`.
  static func grid(_ code: String, field: String, scope: UnitScope, on connection: StoreConnection) async throws -> UnitRecord {
    guard let unit = try await UnitRepository(connection).unit(code: code, within: scope.sqlRange), unit.kind == "grid" else {
      throw Require.invalid(field, "\(code) is not a grid in your scope")
    }
    return unit
  }
}
