import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// The district's escalation ladder as versioned data (docs/DISPUTES.md, "The ladder"): read by
/// the centre's staff, changed by an admin of the whole district, every version kept and audited.
/// A change applies to the next escalation; disputes keep the rung number they are at.
extension DisputesService {
  public func getLadder(request: Civicgrid_V1_GetLadderRequest, context: ServerContext) async throws -> Civicgrid_V1_DisputeLadder {
    let principal = try RequestContext.principal()
    return try await self.store.withConnection { connection in
      let district = try await Self.district(of: principal, on: connection)
      let disputes = DisputeRepository(connection)
      return Self.ladder(
        district.code,
        try await disputes.ladderVersion(districtUnitID: district.id),
        ladder: try await disputes.ladder(forUnitAt: district.path),
        history: try await disputes.ladderHistory(districtUnitID: district.id)
      )
    }
  }

  public func setLadder(request: Civicgrid_V1_SetLadderRequest, context: ServerContext) async throws -> Civicgrid_V1_DisputeLadder {
    let principal = try RequestContext.principal()
    guard principal.coversDistrict else {
      throw DomainError.permissionDenied("the escalation ladder is the district's: only an admin of the whole district changes it")
    }
    guard request.expectedVersion >= 0 else { throw Require.invalid("expected_version", "must not be negative") }
    guard (1...10).contains(request.rungs.count) else { throw Require.invalid("rungs", "must be 1–10 rungs, got \(request.rungs.count)") }
    var rungs: [String] = []
    for (index, rung) in request.rungs.enumerated() {
      let name = rung.trimmingCharacters(in: .whitespaces)
      guard (1...60).contains(name.count), !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) else {
        throw Require.invalid("rungs[\(index)]", "must be 1–60 characters without line breaks")
      }
      guard !rungs.contains(name) else { throw Require.invalid("rungs[\(index)]", "\"\(name)\" is named twice") }
      rungs.append(name)
    }
    let ladder = try DisputeLadder(rungs: rungs)
    return try await self.store.transaction { connection in
      let district = try await Self.district(of: principal, on: connection)
      let disputes = DisputeRepository(connection)
      let current = try await disputes.setLadder(
        districtUnitID: district.id,
        district: district.code,
        ladder,
        expectedVersion: Int(request.expectedVersion),
        by: "\(principal.login)@\(principal.unitCode)"
      )
      try await AuditLog.append(
        on: connection,
        object: "dispute-ladder/\(district.code)/\(current + 1)",
        summary: "published the escalation ladder of \(district.code), version \(current + 1): \(rungs.joined(separator: " → "))"
      )
      return Self.ladder(
        district.code,
        try await disputes.ladderVersion(districtUnitID: district.id),
        ladder: ladder,
        history: try await disputes.ladderHistory(districtUnitID: district.id)
      )
    }
  }

  /// The district (root unit) the caller belongs to.
  static func district(of principal: Principal, on connection: StoreConnection) async throws -> UnitRecord {
    let root = "/" + (principal.unitPath.split(separator: "/").first.map(String.init) ?? "") + "/"
    guard let district = try await UnitRepository(connection).all().first(where: { $0.path == root }) else {
      throw DomainError.notFound("the district of \(principal.unitCode)")
    }
    return district
  }

  static func ladder(_ district: String, _ stored: DisputeRepository.LadderVersion?, ladder: DisputeLadder, history: [Int])
    -> Civicgrid_V1_DisputeLadder
  {
    var m = Civicgrid_V1_DisputeLadder()
    m.districtCode = district
    m.rungs = ladder.rungs
    m.history = history.map(Int32.init)
    if let stored {
      m.version = Int32(stored.version)
      m.createdBy = stored.createdBy
      m.createdAt = stored.createdAt.timestamp
    }
    // A district with rows but no version (written before versions existed) has its own ladder too.
    m.standard = stored == nil && ladder == .standard
    return m
  }
}
