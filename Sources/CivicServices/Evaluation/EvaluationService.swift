public import CivicDomain
public import CivicProtos
public import CivicStore
import CivicRepositories
import Foundation
public import GRPCCore

/// `civicgrid.v1.Evaluation`: ratings (好差评) with rectification and appeals, indicators
/// (docs/METRICS.md), closed periods, the assessment and periodic reports (docs/EVALUATION.md).
///
/// Every mutation is one transaction ending with its audit row. The indicator arithmetic is
/// `CivicDomain.IndicatorSet`; this service only gathers its inputs (`IndicatorGathering`).
/// Time comes from `now`, so tests move it instead of sleeping.
public struct EvaluationService: Civicgrid_V1_Evaluation.SimpleServiceProtocol {
  let store: StorePool
  let now: @Sendable () -> Instant

  public init(store: StorePool) {
    self.init(store: store, now: { .now })
  }

  /// With an injected clock (tests move time instead of sleeping).
  public init(store: StorePool, now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.now = now
  }

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Evaluation/RateCase": .roles([.clerk, .partner]),
    "civicgrid.v1.Evaluation/ListRectifications": .authenticated,
    "civicgrid.v1.Evaluation/ReportRectification": .roles([.clerk, .handler]),
    "civicgrid.v1.Evaluation/RecordReturnVisit": .roles([.clerk, .supervisor]),
    "civicgrid.v1.Evaluation/FileAppeal": .roles([.clerk, .handler]),
    "civicgrid.v1.Evaluation/DecideAppeal": .roles([.supervisor]),
    "civicgrid.v1.Evaluation/GetMetrics": .authenticated,
    "civicgrid.v1.Evaluation/ClosePeriod": .roles([.supervisor, .admin]),
    "civicgrid.v1.Evaluation/GetAssessment": .roles([.supervisor, .admin, .auditor]),
    "civicgrid.v1.Evaluation/GetReport": .authenticated,
    "civicgrid.v1.Evaluation/GetTargets": .authenticated,
    "civicgrid.v1.Evaluation/SetTargets": .roles([.admin]),
    "civicgrid.v1.Evaluation/GetScheme": .roles([.supervisor, .admin, .auditor]),
    "civicgrid.v1.Evaluation/SetScheme": .roles([.admin]),
  ]

  /// What a caller sees of ratings, rectifications and figures: the scope rule, like every
  /// other read (a district supervisor's scope is the district; the auditor grant reads all).
  static func scope(_ principal: Principal) -> UnitScope { principal.scope }

  static func by(_ principal: Principal) -> String { "\(principal.login)@\(principal.unitCode)" }

  /// A unit by code inside `scope`, or the caller's own unit for an empty code; NOT_FOUND otherwise.
  static func unit(_ code: String, field: String, principal: Principal, on connection: StoreConnection) async throws -> UnitRecord {
    let code = code.isEmpty ? principal.unitCode : try Require.code(field, code)
    guard let unit = try await UnitRepository(connection).unit(code: code), Self.scope(principal).contains(path: unit.path) else {
      throw DomainError.notFound("unit \(code)")
    }
    return unit
  }
}
