import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// Indicator targets (docs/EVALUATION.md, "Targets"): read by anyone signed in, changed by an
/// admin of the whole district as a new version, audited.
extension EvaluationService {
  public func getTargets(request: Civicgrid_V1_GetTargetsRequest, context: ServerContext) async throws -> Civicgrid_V1_IndicatorTargets {
    _ = try RequestContext.principal()
    guard request.version >= 0 else { throw Require.invalid("version", "must not be negative") }
    return try await self.store.withConnection { connection in
      let targets = TargetRepository(connection)
      let stored = request.version == 0 ? try await targets.current() : try await targets.version(Int(request.version))
      guard request.version == 0 || stored != nil else { throw DomainError.notFound("targets version \(request.version)") }
      return EvaluationMapping.targets(stored, history: try await targets.history())
    }
  }

  public func setTargets(request: Civicgrid_V1_SetTargetsRequest, context: ServerContext) async throws -> Civicgrid_V1_IndicatorTargets {
    let principal = try RequestContext.principal()
    guard principal.coversDistrict else {
      throw DomainError.permissionDenied("targets are the district's: only an admin of the whole district changes them")
    }
    guard request.expectedVersion >= 0 else { throw Require.invalid("expected_version", "must not be negative") }
    guard request.targets.count <= Indicator.allCases.count else {
      throw Require.invalid("targets", "must be at most \(Indicator.allCases.count), one per indicator")
    }
    var targets: [IndicatorTargets.Target] = []
    for (index, target) in request.targets.enumerated() { targets.append(try EvaluationMapping.target(target, index: index)) }
    _ = try IndicatorTargets(version: 1, targets: targets)  // validates before touching the database
    return try await self.store.transaction { connection in
      let repository = TargetRepository(connection)
      let (current, next) = try await repository.set(expectedVersion: Int(request.expectedVersion), by: Self.by(principal)) { version in
        try IndicatorTargets(version: version, targets: targets)
      }
      let listed = next.targets.map { "\($0.indicator.rawValue) \($0.display)" }.joined(separator: ", ")
      try await AuditLog.append(
        on: connection,
        object: "targets/\(next.version)",
        summary: "published targets version \(next.version) (\(next.targets.isEmpty ? "none" : listed)); version \(current) superseded"
      )
      return EvaluationMapping.targets(try await repository.current(), history: try await repository.history())
    }
  }

  /// The targets a period is held to: those in force when it closed, or now for an open one.
  static func targets(
    for closing: (metricsVersion: Int, asOf: Instant, schemeVersion: Int, targetsVersion: Int?)?,
    on connection: StoreConnection
  )
    async throws -> IndicatorTargets?
  {
    let repository = TargetRepository(connection)
    guard let closing else { return try await repository.current()?.document }
    guard let version = closing.targetsVersion else { return nil }
    return try await repository.version(version)?.document
  }
}
