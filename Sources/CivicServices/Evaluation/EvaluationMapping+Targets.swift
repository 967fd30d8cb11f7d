import CivicDomain
import CivicProtos
import CivicRepositories
import Foundation

/// Proto ↔ domain for indicator targets and assessment schemes.
extension EvaluationMapping {
  static func target(_ message: Civicgrid_V1_IndicatorTarget, index: Int) throws(DomainError) -> IndicatorTargets.Target {
    let indicator = try Indicator(name: message.indicator, field: "targets[\(index)].indicator")
    let comparison: IndicatorTargets.Target.Comparison
    switch message.comparison {
    case .atLeast: comparison = .atLeast
    case .atMost: comparison = .atMost
    default: throw Require.invalid("targets[\(index)].comparison", "must be AT_LEAST or AT_MOST")
    }
    return IndicatorTargets.Target(indicator: indicator, comparison: comparison, threshold: message.threshold)
  }

  static func target(_ target: IndicatorTargets.Target) -> Civicgrid_V1_IndicatorTarget {
    var message = Civicgrid_V1_IndicatorTarget()
    message.indicator = target.indicator.rawValue
    message.comparison = target.comparison == .atLeast ? .atLeast : .atMost
    message.threshold = target.threshold
    return message
  }

  static func targets(_ stored: TargetRepository.Version?, history: [Int]) -> Civicgrid_V1_IndicatorTargets {
    var message = Civicgrid_V1_IndicatorTargets()
    guard let stored else { return message }
    message.version = Int32(stored.document.version)
    message.targets = stored.document.targets.map(Self.target)
    message.createdBy = stored.createdBy
    message.createdAt = stored.createdAt.timestamp
    message.history = history.map(Int32.init)
    return message
  }

  /// A figure with the target it is held to, if any.
  static func figure(_ figure: Figure, targets: IndicatorTargets?) -> Civicgrid_V1_IndicatorFigure {
    var message = Self.figure(figure)
    if let target = targets?.target(for: figure.indicator) {
      message.target = target.display
      message.missedTarget = target.isMissed(by: figure)
    }
    return message
  }

  static func scheme(_ stored: MetricsRepository.StoredScheme?, history: [Int]) -> Civicgrid_V1_AssessmentScheme {
    var message = Civicgrid_V1_AssessmentScheme()
    guard let stored else { return message }
    let scheme = stored.document
    message.version = Int32(scheme.version)
    message.name = scheme.name
    message.basicWork = scheme.basicWork.map { weight in
      var m = Civicgrid_V1_SchemeWeight()
      m.indicator = weight.indicator.rawValue
      m.points = weight.points
      return m
    }
    message.socialEvaluationPoints = scheme.socialEvaluationPoints
    message.pointsPerListedOrder = scheme.pointsPerListedOrder
    message.pointsPerCriticism = scheme.pointsPerCriticism
    message.penaltyCap = scheme.penaltyCap
    message.createdBy = stored.createdBy
    message.createdAt = stored.createdAt.timestamp
    message.history = history.map(Int32.init)
    return message
  }

  /// The scheme a SetScheme request describes, as version `version`; fields named as in the request.
  static func scheme(_ request: Civicgrid_V1_SetSchemeRequest, version: Int) throws(DomainError) -> AssessmentScheme {
    let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !name.isEmpty, name.count <= 100 else { throw Require.invalid("name", "must be 1–100 characters") }
    guard request.basicWork.count <= Indicator.allCases.count else {
      throw Require.invalid("basic_work", "must be at most \(Indicator.allCases.count) weights")
    }
    var weights: [AssessmentScheme.Weight] = []
    for (index, weight) in request.basicWork.enumerated() {
      let indicator = try Indicator(name: weight.indicator, field: "basic_work[\(index)].indicator")
      guard weight.points.isFinite else { throw Require.invalid("basic_work[\(index)].points", "must be a number") }
      weights.append(AssessmentScheme.Weight(indicator: indicator, points: weight.points))
    }
    for (field, value) in [
      ("social_evaluation_points", request.socialEvaluationPoints), ("points_per_listed_order", request.pointsPerListedOrder),
      ("points_per_criticism", request.pointsPerCriticism), ("penalty_cap", request.penaltyCap),
    ] where !value.isFinite {
      throw Require.invalid(field, "must be a number")
    }
    return try AssessmentScheme(
      version: version,
      name: name,
      basicWork: weights,
      socialEvaluationPoints: request.socialEvaluationPoints,
      pointsPerListedOrder: request.pointsPerListedOrder,
      pointsPerCriticism: request.pointsPerCriticism,
      penaltyCap: request.penaltyCap
    )
  }
}
