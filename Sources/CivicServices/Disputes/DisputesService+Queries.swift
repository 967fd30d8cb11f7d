import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension DisputesService {
  public func getDispute(request: Civicgrid_V1_GetDisputeRequest, context: ServerContext) async throws -> Civicgrid_V1_Dispute {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(request.disputeID, field: "dispute_id")
    let now = self.now()
    return try await self.store.withConnection { connection in
      guard let record = try await CaseRepository(connection).load(id, visibleIn: principal.scope.sqlRange, lock: false),
        record.value.kind == DisputeKind.dispute.name
      else { throw DomainError.notFound("dispute \(CaseNumber.format(id))") }
      let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
      let timeline = try await CaseRepository(connection).timeline(of: id).map(CaseMapping.timelineEntry)
      var answer = try await Self.message(record, calendar: calendar, at: now, timeline: timeline, on: connection)
      try await NamedPerson.showTags(onParties: &answer.parties, for: principal, on: connection)
      return answer
    }
  }

  /// Newest first; keyset on the case id (the shared `PageToken`).
  public func listDisputes(request: Civicgrid_V1_ListDisputesRequest, context: ServerContext) async throws -> Civicgrid_V1_ListDisputesResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    let before = try PageToken.decode(request.pageToken)?.id() ?? Int64.max
    let state = request.state.isEmpty ? nil : try Require.code("state", request.state)
    let type = request.type == .unspecified ? nil : try DisputeMapping.type(request.type, field: "type")
    let minRisk = request.minRisk == .unspecified ? nil : try DisputeMapping.risk(request.minRisk, field: "min_risk")
    let now = self.now()
    return try await self.store.withConnection { connection in
      let ids = try await DisputeRepository(connection).list(
        range: principal.scope.sqlRange, before: before, state: state, type: type, minRisk: minRisk, limit: size + 1
      )
      var response = Civicgrid_V1_ListDisputesResponse()
      var calendars: [String: WorkingCalendar] = [:]
      for record in try await CaseRepository(connection).load(Array(ids.prefix(size))) {
        if calendars[record.jurisdiction] == nil {
          calendars[record.jurisdiction] = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
        }
        response.disputes.append(try await Self.message(record, calendar: calendars[record.jurisdiction]!, at: now, on: connection))
      }
      if ids.count > size { response.nextPageToken = PageToken(after: ids[size - 1]).encoded }
      return response
    }
  }
}
