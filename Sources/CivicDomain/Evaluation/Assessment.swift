/// A versioned assessment scheme (基础工作 + 社会评价): how indicator figures and penalties
/// become a unit's score (docs/EVALUATION.md). Stored as JSON with its version; a period's
/// assessment names the version it used.
public struct AssessmentScheme: Sendable, Hashable, Codable {
  public struct Weight: Sendable, Hashable, Codable {
    public let indicator: Indicator
    public let points: Double

    public init(indicator: Indicator, points: Double) {
      self.indicator = indicator
      self.points = points
    }
  }

  public let version: Int
  public let name: String
  /// 基础工作: rates from the indicators, each worth `points` × rate.
  public let basicWork: [Weight]
  /// 社会评价: points × satisfaction rate.
  public let socialEvaluationPoints: Double
  public let pointsPerListedOrder: Double
  public let pointsPerCriticism: Double
  /// Penalties subtract at most this much.
  public let penaltyCap: Double

  public init(
    version: Int, name: String, basicWork: [Weight], socialEvaluationPoints: Double,
    pointsPerListedOrder: Double, pointsPerCriticism: Double, penaltyCap: Double
  ) throws(DomainError) {
    guard version >= 1 else { throw .invalidField("version", "must be at least 1, got \(version)") }
    guard !basicWork.isEmpty else { throw .invalidField("basic_work", "needs at least one weighted indicator") }
    for (index, weight) in basicWork.enumerated() {
      guard weight.indicator.shape == .rate else { throw .invalidField("basic_work[\(index)].indicator", "\(weight.indicator.rawValue) is not a rate") }
      guard weight.points > 0 else { throw .invalidField("basic_work[\(index)].points", "must be positive") }
    }
    guard Set(basicWork.map(\.indicator)).count == basicWork.count else { throw .invalidField("basic_work", "names an indicator twice") }
    for (field, value) in [
      ("social_evaluation_points", socialEvaluationPoints), ("points_per_listed_order", pointsPerListedOrder),
      ("points_per_criticism", pointsPerCriticism), ("penalty_cap", penaltyCap),
    ] where value < 0 {
      throw .invalidField(field, "must not be negative")
    }
    self.version = version
    self.name = name
    self.basicWork = basicWork
    self.socialEvaluationPoints = socialEvaluationPoints
    self.pointsPerListedOrder = pointsPerListedOrder
    self.pointsPerCriticism = pointsPerCriticism
    self.penaltyCap = penaltyCap
  }

  /// Version 1: 70 basic work (acceptance 15, on time 25, rectification 15, order replies 15),
  /// 30 social evaluation, −2 per listed order, −3 per criticism, at most −20.
  public static let standard = try! AssessmentScheme(
    version: 1, name: "基础工作70+社会评价30",
    basicWork: [
      Weight(indicator: .acceptanceRate, points: 15), Weight(indicator: .onTimeCompletionRate, points: 25),
      Weight(indicator: .rectificationRate, points: 15), Weight(indicator: .orderReplyOnTimeRate, points: 15),
    ],
    socialEvaluationPoints: 30, pointsPerListedOrder: 2, pointsPerCriticism: 3, penaltyCap: 20
  )

  public var basicWorkPoints: Double { self.basicWork.reduce(0) { $0 + $1.points } }

  /// The score from a unit's figures and penalties.
  ///
  /// Basic work: the weighted average of the *applicable* rates scaled to the basic-work points
  /// (a rate with nothing in its denominator neither earns nor loses); with none applicable, full
  /// points. Social evaluation: points × satisfaction rate, full points with no rating.
  /// A unit none of whose scored figures (the basic-work rates and the satisfaction rate) is
  /// applicable has **no data**: it had nothing to be assessed on, so it gets no score (all
  /// zeros, `noData`) rather than full marks, and `rank` lists it apart.
  public func score(_ figures: [Figure], penalties: Penalties) -> AssessmentScore {
    let byIndicator = Dictionary(figures.map { ($0.indicator, $0) }, uniquingKeysWith: { first, _ in first })
    let applicable = self.basicWork.compactMap { weight in byIndicator[weight.indicator]?.value.map { (weight.points, $0) } }
    guard !applicable.isEmpty || byIndicator[.satisfactionRate]?.value != nil else {
      return AssessmentScore(basicWork: 0, socialEvaluation: 0, penalty: 0, total: 0, penalties: penalties, noData: true)
    }
    let weights = applicable.reduce(0.0) { $0 + $1.0 }
    let basic = weights == 0 ? self.basicWorkPoints : self.basicWorkPoints * applicable.reduce(0.0) { $0 + $1.0 * $1.1 } / weights
    let social = self.socialEvaluationPoints * (byIndicator[.satisfactionRate]?.value ?? 1)
    let deducted = min(
      self.penaltyCap,
      Double(penalties.listedOrders) * self.pointsPerListedOrder + Double(penalties.criticisms) * self.pointsPerCriticism
    )
    return AssessmentScore(
      basicWork: IndicatorSet.round(basic, 2), socialEvaluation: IndicatorSet.round(social, 2), penalty: IndicatorSet.round(deducted, 2),
      total: IndicatorSet.round(max(0, basic + social - deducted), 2), penalties: penalties
    )
  }
}

public struct AssessmentScore: Sendable, Hashable, Codable {
  public let basicWork: Double
  public let socialEvaluation: Double
  public let penalty: Double
  public let total: Double
  public let penalties: Penalties
  /// Nothing to assess in the period (docs/EVALUATION.md, "No data"): the points are zeros and
  /// mean nothing; the unit is listed apart, unranked.
  public let noData: Bool

  public init(basicWork: Double, socialEvaluation: Double, penalty: Double, total: Double, penalties: Penalties, noData: Bool = false) {
    self.basicWork = basicWork
    self.socialEvaluation = socialEvaluation
    self.penalty = penalty
    self.total = total
    self.penalties = penalties
    self.noData = noData
  }
}

/// One unit's line in a period's ranking.
public struct RankedUnit: Sendable, Hashable, Codable {
  public let unitCode: String
  public let rank: Int
  public let score: AssessmentScore

  public init(unitCode: String, rank: Int, score: AssessmentScore) {
    self.unitCode = unitCode
    self.rank = rank
    self.score = score
  }
}

extension AssessmentScheme {
  /// Ranks by total, highest first; equal totals share a rank (1, 2, 2, 4) and are listed by unit
  /// code. Units with no data follow, by unit code, with rank 0 (unranked).
  public static func rank(_ scores: [(unitCode: String, score: AssessmentScore)]) -> [RankedUnit] {
    let ordered = scores.filter { !$0.score.noData }.sorted { ($0.score.total, $1.unitCode) > ($1.score.total, $0.unitCode) }
    var ranked: [RankedUnit] = []
    for (index, entry) in ordered.enumerated() {
      let rank = index > 0 && ordered[index - 1].score.total == entry.score.total ? ranked[index - 1].rank : index + 1
      ranked.append(RankedUnit(unitCode: entry.unitCode, rank: rank, score: entry.score))
    }
    let idle = scores.filter(\.score.noData).sorted { $0.unitCode < $1.unitCode }
    return ranked + idle.map { RankedUnit(unitCode: $0.unitCode, rank: 0, score: $0.score) }
  }
}
