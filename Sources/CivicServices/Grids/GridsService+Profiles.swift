import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// Profiles (replaced whole, versioned, audited) and the published card.
extension GridsService {
  public func setGridProfile(request: Civicgrid_V1_SetGridProfileRequest, context: ServerContext) async throws -> Civicgrid_V1_GridProfile {
    let principal = try RequestContext.principal()
    let code = try Require.code("grid_code", request.gridCode)
    let boundary = try Require.text("boundary", request.boundary, max: 2000)
    guard request.households >= 0 else { throw Require.invalid("households", "must not be negative, got \(request.households)") }
    guard request.areaPrefixes.count <= 200 else { throw Require.invalid("area_prefixes", "must be at most 200") }
    for (index, prefix) in request.areaPrefixes.enumerated() where !(2...200).contains(prefix.count) || prefix.allSatisfy(\.isWhitespace) {
      throw Require.invalid("area_prefixes[\(index)]", "must be 2–200 characters")
    }
    guard request.staff.count <= 50 else { throw Require.invalid("staff", "must be at most 50") }
    var staff: [GridStaff] = []
    for (index, m) in request.staff.enumerated() { staff.append(try GridMapping.staff(m, field: "staff[\(index)]")) }
    guard request.expectedVersion >= 0 else { throw Require.invalid("expected_version", "must not be negative") }
    return try await self.store.transaction { connection in
      let unit = try await Self.grid(code, field: "grid_code", scope: principal.scope, on: connection)
      let grids = GridRepository(connection)
      let current = try await grids.profile(code: code, lock: true)?.version ?? 0
      guard request.expectedVersion == current else {
        throw DomainError.staleVersion(subject: "grid \(code)'s profile", expected: Int(request.expectedVersion), current: Int(current))
      }
      try await grids.save(
        unitID: unit.id,
        boundary: boundary,
        households: Int(request.households),
        prefixes: request.areaPrefixes,
        staff: staff,
        version: current + 1,
        by: principal.login
      )
      try await AuditLog.append(
        on: connection,
        object: "grid/\(code)",
        summary: "profile version \(current + 1): \(request.households) households, \(request.areaPrefixes.count) area prefixes, "
          + "\(staff.count) staff (\(staff.filter(\.published).count) on the card)"
      )
      return GridMapping.profile(try await grids.profile(code: code)!)
    }
  }

  public func getGridProfile(request: Civicgrid_V1_GetGridProfileRequest, context: ServerContext) async throws -> Civicgrid_V1_GridProfile {
    let principal = try RequestContext.principal()
    let code = try Require.code("grid_code", request.gridCode)
    return try await self.store.withConnection { connection in
      _ = try await Self.grid(code, field: "grid_code", scope: principal.scope, on: connection)
      guard let profile = try await GridRepository(connection).profile(code: code) else {
        throw DomainError.notFound("grid \(code)'s profile")
      }
      return GridMapping.profile(profile)
    }
  }

  /// Any account may read a card (it is what the grid publishes); NOT_FOUND for a grid
  /// without a profile or an address no grid covers.
  public func getGridCard(request: Civicgrid_V1_GetGridCardRequest, context: ServerContext) async throws -> Civicgrid_V1_GridCard {
    return try await self.store.withConnection { connection in
      let grids = GridRepository(connection)
      let code: String
      switch request.target {
      case .gridCode(let given): code = try Require.code("grid_code", given)
      case .address(let address):
        let address = try Require.text("address", address, max: 300)
        guard let found = try await grids.gridCode(covering: address) else { throw DomainError.notFound("a grid covering this address") }
        code = found
      case nil: throw Require.invalid("target", "needs grid_code or address")
      }
      guard let profile = try await grids.profile(code: code) else { throw DomainError.notFound("grid \(code)'s card") }
      return GridMapping.card(profile, ancestors: try await grids.ancestors(of: profile.gridPath))
    }
  }
}
