import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension DisputesService {
  /// The weekly meeting's agenda (周例会): the open disputes in the caller's scope that need
  /// the meeting, most pressing first (`DisputeAgenda`), with why each is on it.
  public func getAgenda(request: Civicgrid_V1_GetAgendaRequest, context: ServerContext) async throws -> Civicgrid_V1_Agenda {
    let principal = try RequestContext.principal()
    var scope = principal.scope
    if !request.unitCode.isEmpty {
      _ = try Require.code("unit_code", request.unitCode)
    }
    let unitCode = request.unitCode
    let now = self.now()
    return try await self.store.withConnection { connection in
      if !unitCode.isEmpty {
        guard let unit = try await UnitRepository(connection).idAndPath(code: unitCode), scope.contains(path: unit.path) else {
          throw Require.invalid("unit_code", "unit \(unitCode) not found")
        }
        scope = .subtree(unit.path)
      }
      let ids = try await DisputeRepository(connection).openIDs(range: scope.sqlRange, limit: Self.agendaCandidates)
      let records = try await CaseRepository(connection).load(ids)
      let rows = try await DisputeRepository(connection).records(ids)
      var calendars: [String: WorkingCalendar] = [:]
      var entries: [DisputeAgenda.Entry] = []
      for record in records {
        if calendars[record.jurisdiction] == nil {
          calendars[record.jurisdiction] = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
        }
        let warnings = try record.value.warnings(at: now, in: calendars[record.jurisdiction]!)
        entries.append(
          DisputeAgenda.Entry(
            caseID: record.id, risk: rows[record.id]?.risk,
            overdueTasks: warnings.tasks.filter { $0.value.level == .overdue }.map(\.key),
            escalated: record.value.state == .escalated
          )
        )
      }
      let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0) })
      var agenda = Civicgrid_V1_Agenda()
      for item in DisputeAgenda.items(entries) {
        var line = Civicgrid_V1_AgendaItem()
        line.dispute = try await Self.message(byID[item.caseID]!, calendar: calendars[byID[item.caseID]!.jurisdiction]!, at: now, on: connection)
        line.reasons = item.reasons
        agenda.items.append(line)
      }
      return agenda
    }
  }

  /// The most open disputes an agenda looks at (the oldest first beyond it are left out).
  static let agendaCandidates = 1000
}
