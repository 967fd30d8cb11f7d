import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// The periodic analysis (定期分析研判): facts read once, counted by `GridEventStats` (pure).
extension GridsService {
  public func getGridStats(request: Civicgrid_V1_GetGridStatsRequest, context: ServerContext) async throws -> Civicgrid_V1_GridStats {
    let principal = try RequestContext.principal()
    let from = try Require.date("from", request.from)
    let to = try Require.date("to", request.to)
    guard from <= to else { throw Require.invalid("to", "must not be before from (\(from))") }
    guard to.daysSinceEpoch - from.daysSinceEpoch <= 366 else { throw Require.invalid("to", "the period is at most 366 days") }
    return try await self.store.withConnection { connection in
      // Weeks and days are the district's local ones.
      let calendar = try await CalendarStore.require(CalendarStore.defaultJurisdiction, on: connection).calendar
      let code = request.unitCode.isEmpty ? principal.unitCode : try Require.code("unit_code", request.unitCode)
      guard let unit = try await UnitRepository(connection).unit(code: code, within: principal.scope.sqlRange) else {
        throw Require.invalid("unit_code", "unit \(code) not found in your scope")
      }
      let grids = GridRepository(connection)
      let facts = try await grids.eventFacts(
        under: unit.path,
        from: calendar.instant(from, secondsAfterMidnight: 0),
        to: calendar.instant(to.adding(days: 1), secondsAfterMidnight: 0)
      )
      let stats = GridEventStats(
        facts: facts,
        units: try await grids.territorialUnits(under: unit.path),
        from: from,
        to: to,
        calendar: calendar
      )
      return GridMapping.stats(stats, unit: code, from: from, to: to)
    }
  }
}
