import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// The periodic dispute report (月研判、季总结、年考核; docs/DISPUTES.md, "Reports"): counts by
/// type, channel, outcome and unit over a unit's subtree for a week, month, quarter or year.
extension DisputesService {
  public func getDisputeReport(request: Civicgrid_V1_GetDisputeReportRequest, context: ServerContext) async throws
    -> Civicgrid_V1_DisputeReport
  {
    let principal = try RequestContext.principal()
    let period = try Period(request.period, field: "period")
    let code = request.unitCode.isEmpty ? principal.unitCode : try Require.code("unit_code", request.unitCode)
    let now = self.now()
    return try await self.store.withConnection { connection in
      guard let unit = try await UnitRepository(connection).unit(code: code), principal.scope.contains(path: unit.path) else {
        throw DomainError.notFound("unit \(code)")
      }
      let calendar = try await CalendarStore.require("CN", on: connection).calendar
      let window = period.start(in: calendar)..<period.end(in: calendar)
      let range = UnitScope.subtree(unit.path).sqlRange
      let disputes = DisputeRepository(connection)
      let facts = try await disputes.reportFacts(range: range, in: window)
      let report = DisputeReport(
        period: period,
        unitCode: unit.code,
        window: window,
        asOf: now,
        disputes: facts.disputes,
        routes: facts.routes,
        closings: try await disputes.closings(range: range, in: window)
      )
      return DisputeMapping.report(report)
    }
  }
}

extension DisputeMapping {
  static func report(_ report: DisputeReport) -> Civicgrid_V1_DisputeReport {
    func rows(_ rows: [DisputeReport.Row]) -> [Civicgrid_V1_DisputeReportRow] {
      rows.map { row in
        var m = Civicgrid_V1_DisputeReportRow()
        m.key = row.key
        m.received = Int64(row.received)
        m.ended = Int64(row.ended)
        m.settled = Int64(row.settled)
        return m
      }
    }
    var m = Civicgrid_V1_DisputeReport()
    m.period = report.period.description
    m.unitCode = report.unitCode
    m.received = Int64(report.received)
    m.closed = Int64(report.closed)
    m.resolutionNumerator = Int64(report.resolution.numerator)
    m.resolutionDenominator = Int64(report.resolution.denominator)
    if let value = report.resolution.value { m.resolutionRate = value }
    m.byType = rows(report.byType)
    m.byChannel = rows(report.byChannel)
    m.byOutcome = rows(report.byOutcome)
    m.byResult = rows(report.byResult)
    m.byUnit = rows(report.byUnit)
    m.markdown = report.markdown
    return m
  }
}
