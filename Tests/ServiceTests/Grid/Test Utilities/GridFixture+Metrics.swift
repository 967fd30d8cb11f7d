import CivicProtos
import CivicServices

extension GridFixture {
  /// GetMetrics of `unit` (alone or its subtree) for March 2026, as the district's supervisor.
  func metrics(_ evaluation: EvaluationService, _ unit: String, subtree: Bool = false, drill: String = "") async throws
    -> Civicgrid_V1_Metrics
  {
    var request = Civicgrid_V1_GetMetricsRequest()
    request.unitCode = unit
    request.period = "2026-03"
    request.subtree = subtree
    request.drill = drill
    return try await self.call(self.supervisor) { try await evaluation.getMetrics(request: request, context: $0) }
  }

  /// One figure's numerator, denominator and value (nil when not applicable).
  static func figure(_ metrics: Civicgrid_V1_Metrics, _ name: String) -> (Double, Int64, Double?)? {
    metrics.figures.first { $0.indicator == name }.map { ($0.numerator, $0.denominator, $0.hasValue ? $0.value : nil) }
  }
}
