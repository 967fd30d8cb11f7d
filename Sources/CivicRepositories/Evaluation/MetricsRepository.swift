public import CivicDomain
public import CivicStore
import Foundation

/// Closed periods and what they froze: `metric_periods`, `metric_figures`, `assessment_results`,
/// and the assessment schemes (`assessment_schemes`).
public struct MetricsRepository: Sendable {
  let connection: StoreConnection

  public init(_ connection: StoreConnection) { self.connection = connection }

  /// The metrics version, as-of instant, scheme and targets version of `period`, if it was closed
  /// (no targets version for a period closed before targets existed).
  public func closing(of period: String) async throws(StoreError)
    -> (metricsVersion: Int, asOf: Instant, schemeVersion: Int, targetsVersion: Int?)?
  {
    try await self.connection.query(
      """
      SELECT metrics_version, extract(epoch FROM as_of)::bigint, scheme_version, targets_version FROM metric_periods
      WHERE period = \(period)
      """
    ).decode((Int, Int, Int, Int?).self).first.map {
      (metricsVersion: $0.0, asOf: Instant(secondsSinceEpoch: $0.1), schemeVersion: $0.2, targetsVersion: $0.3)
    }
  }

  /// The figures `period` froze for a unit (its own or its subtree's), by indicator.
  public func frozenFigures(period: String, unitID: Int64, subtree: Bool) async throws -> [Indicator: Figure] {
    let rows = try await self.connection.query(
      """
      SELECT indicator, numerator, denominator, value, drill::text FROM metric_figures
      WHERE period = \(period) AND unit_id = \(unitID) AND subtree = \(subtree)
      """
    ).decode((String, Double, Int, Double?, String).self)
    var figures: [Indicator: Figure] = [:]
    for (name, numerator, denominator, value, drill) in rows {
      guard let indicator = Indicator(rawValue: name) else { throw StoreError(code: .decoding, serverMessage: "indicator \(name)") }
      figures[indicator] = Figure(
        indicator: indicator, numerator: numerator, denominator: denominator, value: value,
        drill: try JSONDecoder().decode([DrillRow].self, from: Data(drill.utf8))
      )
    }
    return figures
  }

  /// Marks `period` closed; false when it already was.
  public func close(
    period: String, cadence: String, metricsVersion: Int, schemeVersion: Int, targetsVersion: Int?, asOf: Instant, by: String
  ) async throws(StoreError) -> Bool {
    let inserted = try await self.connection.query(
      """
      INSERT INTO metric_periods (period, cadence, metrics_version, scheme_version, targets_version, as_of, closed_by)
      VALUES (\(period), \(cadence), \(metricsVersion), \(schemeVersion), \(targetsVersion), to_timestamp(\(asOf.secondsSinceEpoch)::bigint),
        \(by))
      ON CONFLICT (period) DO NOTHING RETURNING period
      """
    )
    return !inserted.rows.isEmpty
  }

  /// Freezes `figures` of `period` in one statement: (unit, own or subtree, figure) each.
  public func freeze(period: String, _ figures: [(unitID: Int64, subtree: Bool, figure: Figure)]) async throws {
    guard !figures.isEmpty else { return }
    var drills: [String] = []
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    for each in figures { drills.append(String(decoding: try encoder.encode(each.figure.drill), as: UTF8.self)) }
    try await self.connection.execute(
      """
      INSERT INTO metric_figures (period, unit_id, subtree, indicator, numerator, denominator, value, drill)
      SELECT \(period), unit_id, subtree, indicator, numerator, denominator, value, drill::jsonb
      FROM unnest(\(SQLArray(figures.map(\.unitID)))::bigint[], \(SQLArray(figures.map(\.subtree)))::boolean[],
        \(SQLArray(figures.map(\.figure.indicator.rawValue)))::text[], \(SQLArray(figures.map(\.figure.numerator)))::float8[],
        \(SQLArray(figures.map(\.figure.denominator)))::integer[], \(SQLArray(figures.map(\.figure.value)))::float8[],
        \(SQLArray(drills))::text[])
        AS r(unit_id, subtree, indicator, numerator, denominator, value, drill)
      """
    )
  }

  /// Records the assessment of `period`: one row per ranked unit.
  public func recordAssessment(period: String, _ lines: [AssessmentLine]) async throws(StoreError) {
    guard !lines.isEmpty else { return }
    try await self.connection.execute(
      """
      INSERT INTO assessment_results (period, unit_id, rank, basic_work, social_evaluation, penalty, total, listed_orders, criticisms,
        responsible_person, no_data)
      SELECT \(period), unit_id, rank, basic_work, social_evaluation, penalty, total, listed_orders, criticisms, responsible_person, no_data
      FROM unnest(\(SQLArray(lines.map(\.unitID)))::bigint[], \(SQLArray(lines.map(\.rank)))::integer[],
        \(SQLArray(lines.map(\.score.basicWork)))::float8[], \(SQLArray(lines.map(\.score.socialEvaluation)))::float8[],
        \(SQLArray(lines.map(\.score.penalty)))::float8[], \(SQLArray(lines.map(\.score.total)))::float8[],
        \(SQLArray(lines.map(\.score.penalties.listedOrders)))::integer[], \(SQLArray(lines.map(\.score.penalties.criticisms)))::integer[],
        \(SQLArray(lines.map(\.responsiblePerson)))::text[], \(SQLArray(lines.map(\.score.noData)))::boolean[])
        AS r(unit_id, rank, basic_work, social_evaluation, penalty, total, listed_orders, criticisms, responsible_person, no_data)
      """
    )
  }

  /// The assessment `period` recorded, by unit code.
  public func assessment(of period: String) async throws(StoreError) -> [(unitCode: String, responsiblePerson: String, score: AssessmentScore)] {
    try await self.connection.query(
      """
      SELECT u.code, a.basic_work, a.social_evaluation, a.penalty, a.total, a.listed_orders, a.criticisms, a.responsible_person,
        a.no_data
      FROM assessment_results a JOIN units u ON u.id = a.unit_id WHERE a.period = \(period)
      """
    ).decode((String, Double, Double, Double, Double, Int, Int, String, Bool).self).map { row in
      (
        unitCode: row.0, responsiblePerson: row.7,
        score: AssessmentScore(
          basicWork: row.1, socialEvaluation: row.2, penalty: row.3, total: row.4,
          penalties: Penalties(listedOrders: row.5, criticisms: row.6), noData: row.8
        )
      )
    }
  }

  /// The name of scheme `version`.
  public func schemeName(_ version: Int) async throws(StoreError) -> String? {
    try await self.connection.query("SELECT name FROM assessment_schemes WHERE version = \(version)").scalar(String.self)
  }

  /// The newest assessment scheme, if one was stored.
  public func currentScheme() async throws -> AssessmentScheme? {
    try await self.storedScheme()?.document
  }
}

/// One unit's line of a recorded assessment.
public struct AssessmentLine: Sendable {
  public var unitID: Int64
  public var rank: Int
  public var score: AssessmentScore
  public var responsiblePerson: String

  public init(unitID: Int64, rank: Int, score: AssessmentScore, responsiblePerson: String) {
    self.unitID = unitID
    self.rank = rank
    self.score = score
    self.responsiblePerson = responsiblePerson
  }
}
