import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// The assessment scheme as data (docs/EVALUATION.md, "The scheme"): read by the assessment's
/// readers, changed by an admin of the whole district as a new version, audited. A closed
/// period keeps the version it was assessed under.
extension EvaluationService {
  public func getScheme(request: Civicgrid_V1_GetSchemeRequest, context: ServerContext) async throws -> Civicgrid_V1_AssessmentScheme {
    _ = try RequestContext.principal()
    guard request.version >= 0 else { throw Require.invalid("version", "must not be negative") }
    return try await self.store.withConnection { connection in
      let metrics = MetricsRepository(connection)
      let stored = request.version == 0 ? try await metrics.storedScheme() : try await metrics.storedScheme(version: Int(request.version))
      guard request.version == 0 || stored != nil else { throw DomainError.notFound("assessment scheme version \(request.version)") }
      return EvaluationMapping.scheme(stored, history: try await metrics.schemeHistory())
    }
  }

  public func setScheme(request: Civicgrid_V1_SetSchemeRequest, context: ServerContext) async throws -> Civicgrid_V1_AssessmentScheme {
    let principal = try RequestContext.principal()
    guard principal.coversDistrict else {
      throw DomainError.permissionDenied("the assessment scheme is the district's: only an admin of the whole district changes it")
    }
    guard request.expectedVersion >= 0 else { throw Require.invalid("expected_version", "must not be negative") }
    _ = try EvaluationMapping.scheme(request, version: 1)  // validates before touching the database
    return try await self.store.transaction { connection in
      let metrics = MetricsRepository(connection)
      let (current, next) = try await metrics.setScheme(expectedVersion: Int(request.expectedVersion), by: Self.by(principal)) { version in
        try EvaluationMapping.scheme(request, version: version)
      }
      let weights = next.basicWork.map { "\($0.indicator.rawValue) \(Figure.fixed($0.points, 2))" }.joined(separator: ", ")
      try await AuditLog.append(
        on: connection,
        object: "assessment-scheme/\(next.version)",
        summary: "published assessment scheme version \(next.version) \"\(next.name)\": basic work \(weights); social evaluation "
          + "\(Figure.fixed(next.socialEvaluationPoints, 2)); −\(Figure.fixed(next.pointsPerListedOrder, 2)) per listed order, "
          + "−\(Figure.fixed(next.pointsPerCriticism, 2)) per criticism, at most −\(Figure.fixed(next.penaltyCap, 2)); version \(current) superseded"
      )
      return EvaluationMapping.scheme(try await metrics.storedScheme(), history: try await metrics.schemeHistory())
    }
  }
}
