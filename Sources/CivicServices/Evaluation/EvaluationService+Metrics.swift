import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension EvaluationService {
  /// Period boundaries follow the district's calendar (local days, UTC+8).
  static let jurisdiction = "CN"

  public func getMetrics(request: Civicgrid_V1_GetMetricsRequest, context: ServerContext) async throws -> Civicgrid_V1_Metrics {
    let principal = try RequestContext.principal()
    let period = try EvaluationMapping.period(request.period)
    let drill = request.drill.isEmpty ? nil : try Indicator(name: request.drill, field: "drill")
    return try await self.store.withConnection { connection in
      let unit = try await Self.unit(request.unitCode, field: "unit_code", principal: principal, on: connection)
      let result = try await self.figures(unit, period, subtree: request.subtree, on: connection)
      var message = Civicgrid_V1_Metrics()
      message.unitCode = unit.code
      message.period = period.description
      message.subtree = request.subtree
      message.closed = result.closed
      message.metricsVersion = Int32(result.version)
      message.asOf = result.asOf.timestamp
      message.figures = result.figures.map { EvaluationMapping.figure($0, targets: result.targets) }
      if let drill, let figure = result.figures.first(where: { $0.indicator == drill }) {
        message.drill = figure.drill.map(EvaluationMapping.drill)
      }
      return message
    }
  }

  struct Figures {
    var figures: [Figure]
    var closed: Bool
    var version: Int
    var asOf: Instant
    /// The targets the period is held to (those in force when it closed, or now).
    var targets: IndicatorTargets?
  }

  /// A closed period's frozen figures, or the figures computed now.
  func figures(_ unit: UnitRecord, _ period: Period, subtree: Bool, on connection: StoreConnection) async throws -> Figures {
    let metrics = MetricsRepository(connection)
    if let closing = try await metrics.closing(of: period.description) {
      let byIndicator = try await metrics.frozenFigures(period: period.description, unitID: unit.id, subtree: subtree)
      return Figures(
        figures: Indicator.allCases.compactMap { byIndicator[$0] }, closed: true, version: closing.metricsVersion, asOf: closing.asOf,
        targets: try await Self.targets(for: closing, on: connection)
      )
    }
    let window = try await self.window(period, on: connection)
    let asOf = self.now()
    let inputs = try await IndicatorGathering.inputs(UnitScope.subtree(unit.path).sqlRange, window: window, on: connection)
    let figures = IndicatorSet.compute(inputs, for: UnitSelector(path: unit.path, subtree: subtree), in: window, asOf: asOf)
    return Figures(
      figures: figures, closed: false, version: IndicatorSet.version, asOf: asOf, targets: try await Self.targets(for: nil, on: connection)
    )
  }

  func window(_ period: Period, on connection: StoreConnection) async throws -> Range<Instant> {
    let calendar = try await CalendarStore.require(Self.jurisdiction, on: connection).calendar
    return period.start(in: calendar)..<period.end(in: calendar)
  }

  // MARK: Closing

  public func closePeriod(request: Civicgrid_V1_ClosePeriodRequest, context: ServerContext) async throws -> Civicgrid_V1_ClosePeriodResponse {
    let principal = try RequestContext.principal()
    // Closing freezes every unit's figures for the period: a district-wide object.
    guard principal.coversDistrict else {
      throw DomainError.permissionDenied("closing a period needs a scope that covers the whole district")
    }
    let period = try EvaluationMapping.period(request.period)
    let now = self.now()
    return try await self.store.transaction { connection in
      let window = try await self.window(period, on: connection)
      guard now >= window.upperBound else {
        throw DomainError.precondition("period \(period)", "has not ended (it ends \(period.last.adding(days: 1)) 00:00); only an ended period can be closed")
      }
      let scheme = try await Self.currentScheme(on: connection)
      let targets = try await TargetRepository(connection).current()?.document
      let metrics = MetricsRepository(connection)
      let closed = try await metrics.close(
        period: period.description, cadence: period.cadence.rawValue, metricsVersion: IndicatorSet.version,
        schemeVersion: scheme.version, targetsVersion: targets?.version, asOf: now, by: Self.by(principal)
      )
      guard closed else { throw DomainError.precondition("period \(period)", "is already closed; its figures are frozen") }
      let units = try await Self.allUnits(on: connection)
      let inputs = try await IndicatorGathering.inputs(UnitScope.everything.sqlRange, window: window, on: connection)
      var figures: [(unitID: Int64, subtree: Bool, figure: Figure)] = []
      let byUnit = IndicatorInputsByUnit(inputs)
      for unit in units {
        for subtree in [false, true] {
          let selector = UnitSelector(path: unit.path, subtree: subtree)
          for figure in IndicatorSet.compute(byUnit.inputs(for: selector), for: selector, in: window, asOf: now) {
            figures.append((unit.id, subtree, figure))
          }
        }
      }
      try await metrics.freeze(period: period.description, figures)
      let count = Int64(figures.count)
      let ranked = Self.assess(units.filter { $0.path.filter { $0 == "/" }.count > 2 }, byUnit, window, now, scheme, targets: nil).ranked
      let byCode = Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0) })
      try await metrics.recordAssessment(
        period: period.description,
        ranked.map { line in
          let unit = byCode[line.unitCode]!
          return AssessmentLine(unitID: unit.id, rank: line.rank, score: line.score, responsiblePerson: unit.responsiblePerson)
        }
      )
      try await AuditLog.append(
        on: connection, object: "period/\(period)",
        summary: "closed \(period): \(count) figures (metrics v\(IndicatorSet.version)), \(ranked.count) units assessed (scheme v\(scheme.version)"
          + (targets.map { ", targets v\($0.version))" } ?? ")")
      )
      var response = Civicgrid_V1_ClosePeriodResponse()
      response.period = period.description
      response.figures = count
      response.metricsVersion = Int32(IndicatorSet.version)
      response.schemeVersion = Int32(scheme.version)
      return response
    }
  }

  static func allUnits(on connection: StoreConnection) async throws -> [UnitRecord] {
    try await UnitRepository(connection).all()
  }

  static func currentScheme(on connection: StoreConnection) async throws -> AssessmentScheme {
    try await MetricsRepository(connection).currentScheme() ?? .standard
  }

  /// A ranking, and the targets each unit's subtree figures miss (by unit code).
  struct Assessed {
    var ranked: [RankedUnit]
    var missed: [String: [Indicator]]
  }

  /// Scores every unit on its subtree's figures and penalties, ranked; flags the targets they
  /// miss. The facts come indexed by unit (`IndicatorInputsByUnit`), once for all units.
  static func assess(
    _ units: [UnitRecord], _ byUnit: IndicatorInputsByUnit, _ window: Range<Instant>, _ asOf: Instant, _ scheme: AssessmentScheme,
    targets: IndicatorTargets?
  ) -> Assessed {
    var missed: [String: [Indicator]] = [:]
    let ranked = AssessmentScheme.rank(units.map { unit in
      let selector = UnitSelector(path: unit.path, subtree: true)
      let own = byUnit.inputs(for: selector)
      let figures = IndicatorSet.compute(own, for: selector, in: window, asOf: asOf)
      missed[unit.code] = targets?.misses(figures).map(\.target.indicator) ?? []
      return (unit.code, scheme.score(figures, penalties: IndicatorSet.penalties(own, for: selector, in: window, asOf: asOf)))
    })
    return Assessed(ranked: ranked, missed: missed)
  }

  // MARK: Assessment

  public func getAssessment(request: Civicgrid_V1_GetAssessmentRequest, context: ServerContext) async throws -> Civicgrid_V1_Assessment {
    _ = try RequestContext.principal()
    let period = try EvaluationMapping.period(request.period)
    let kind = request.unitKind.isEmpty ? nil : try Require.code("unit_kind", request.unitKind)
    return try await self.store.withConnection { connection in
      try await self.assessment(period, kind: kind, on: connection)
    }
  }

  func assessment(_ period: Period, kind: String?, on connection: StoreConnection) async throws -> Civicgrid_V1_Assessment {
    let units = try await Self.allUnits(on: connection).filter { unit in
      // Every unit but the root (the district assesses its units), or those of one kind.
      kind.map { unit.kind == $0 } ?? (unit.path.filter { $0 == "/" }.count > 2)
    }
    var message = Civicgrid_V1_Assessment()
    message.period = period.description
    let metrics = MetricsRepository(connection)
    let closing = try await metrics.closing(of: period.description)
    let targets = try await Self.targets(for: closing, on: connection)
    message.targetsVersion = Int32(targets?.version ?? 0)
    var missed: [String: [Indicator]] = [:]
    var lines: [(unitCode: String, score: AssessmentScore)] = []
    var responsible: [String: String] = Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0.responsiblePerson) })
    if let closedScheme = closing?.schemeVersion {
      message.schemeVersion = Int32(closedScheme)
      message.schemeName = try await metrics.schemeName(closedScheme) ?? ""
      message.closed = true
      let wanted = Set(units.map(\.code))
      for line in try await metrics.assessment(of: period.description) where wanted.contains(line.unitCode) {
        responsible[line.unitCode] = line.responsiblePerson
        lines.append((line.unitCode, line.score))
      }
      // Frozen figures against the targets in force at closing: the flags cannot change either.
      if let targets {
        for unit in units where wanted.contains(unit.code) {
          let frozen = try await metrics.frozenFigures(period: period.description, unitID: unit.id, subtree: true)
          missed[unit.code] = targets.misses(Indicator.allCases.compactMap { frozen[$0] }).map(\.target.indicator)
        }
      }
    } else {
      let scheme = try await Self.currentScheme(on: connection)
      message.schemeVersion = Int32(scheme.version)
      message.schemeName = scheme.name
      let window = try await self.window(period, on: connection)
      let inputs = try await IndicatorGathering.inputs(UnitScope.everything.sqlRange, window: window, on: connection)
      let assessed = Self.assess(units, IndicatorInputsByUnit(inputs), window, self.now(), scheme, targets: targets)
      lines = assessed.ranked.map { ($0.unitCode, $0.score) }
      missed = assessed.missed
    }
    let names = Dictionary(uniqueKeysWithValues: units.map { ($0.code, $0.name) })
    for line in AssessmentScheme.rank(lines) {
      var unit = Civicgrid_V1_AssessedUnit()
      unit.rank = Int32(line.rank)
      unit.unitCode = line.unitCode
      unit.unitName = names[line.unitCode] ?? ""
      unit.responsiblePerson = responsible[line.unitCode] ?? ""
      unit.basicWork = line.score.basicWork
      unit.socialEvaluation = line.score.socialEvaluation
      unit.penalty = line.score.penalty
      unit.total = line.score.total
      unit.listedOrders = Int32(line.score.penalties.listedOrders)
      unit.criticisms = Int32(line.score.penalties.criticisms)
      unit.noData = line.score.noData
      unit.missedTargets = (missed[line.unitCode] ?? []).map(\.rawValue)
      message.units.append(unit)
    }
    return message
  }

  // MARK: Reports

  public func getReport(request: Civicgrid_V1_GetReportRequest, context: ServerContext) async throws -> Civicgrid_V1_Report {
    let principal = try RequestContext.principal()
    guard let cadence = Period.Cadence(rawValue: request.cadence) else {
      throw Require.invalid("cadence", "must be week, month, quarter or year, got \"\(request.cadence.prefix(20))\"")
    }
    let period = try EvaluationMapping.period(request.period)
    guard period.cadence == cadence else {
      throw Require.invalid("period", "\(period) is a \(period.cadence.rawValue); a \(cadence.rawValue) report needs a \(cadence.rawValue)")
    }
    let count = request.trendPeriods == 0 ? 6 : Int(request.trendPeriods)
    guard (1...12).contains(count) else { throw Require.invalid("trend_periods", "must be 1–12, got \(request.trendPeriods)") }
    return try await self.store.withConnection { connection in
      let unit = try await Self.unit(request.unitCode, field: "unit_code", principal: principal, on: connection)
      var columns: [Report.Column] = []
      var targets: IndicatorTargets?
      for each in period.trailing(count) {
        let result = try await self.figures(unit, each, subtree: true, on: connection)
        columns.append(Report.Column(period: each, figures: result.figures, closed: result.closed))
        targets = result.targets
      }
      let assessment = try await self.assessment(period, kind: unit.kind, on: connection)
      let line = assessment.units.first { $0.unitCode == unit.code }.map { line in
        RankedUnit(unitCode: line.unitCode, rank: Int(line.rank), score: AssessmentScore(
          basicWork: line.basicWork, socialEvaluation: line.socialEvaluation, penalty: line.penalty, total: line.total,
          penalties: Penalties(listedOrders: Int(line.listedOrders), criticisms: Int(line.criticisms)), noData: line.noData
        ))
      }
      let report = Report(
        unitCode: unit.code, unitName: unit.name, responsiblePerson: unit.responsiblePerson, columns: columns,
        assessment: line, schemeName: "\(assessment.schemeName) (v\(assessment.schemeVersion), ranked among \(assessment.units.count) \(unit.kind) units)",
        targets: targets
      )
      var message = Civicgrid_V1_Report()
      message.markdown = report.markdown
      message.csv = report.csv
      return message
    }
  }
}
