import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
import SwiftProtobuf
public import GRPCCore

extension CasesService {
  public func getCase(request: Civicgrid_V1_GetCaseRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(request.caseID)
    return try await self.store.withConnection { connection in
      // One round trip for an unchanged calendar: the case (with its calendar's key and its
      // applicant person) and its timeline, two statements in one pipeline.
      let (reading, events) = try await CaseRecord.readWithTimeline(id, scope: principal.scope, on: connection)
      let record = reading.record
      let calendar = try await CalendarStore.require(record.jurisdiction, knownKey: reading.calendarKey, on: connection).calendar
      let timeline = events.map(CaseMapping.timelineEntry)
      var answer = try CaseMapping.message(
        record, calendar: calendar, at: .now, timeline: timeline
      )
      try await NamedPerson.attach(to: &answer, personID: reading.applicantPersonID, for: principal, on: connection)
      return answer
    }
  }

  /// Newest first; keyset on the case id (the page token is the last id returned). Each entry
  /// is the case's summary (`CaseMapping.summary`), read without decoding its snapshot.
  public func listCases(request: Civicgrid_V1_ListCasesRequest, context: ServerContext) async throws -> Civicgrid_V1_ListCasesResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    let after = try PageToken.decode(request.pageToken)?.id() ?? Int64.max
    var filter = CaseListFilter(range: principal.scope.sqlRange, before: after, limit: size + 1)
    if !request.state.isEmpty { filter.state = request.state }
    if !request.itemCode.isEmpty { filter.itemCode = request.itemCode }
    if request.channel != .unspecified { filter.channel = try CatalogMapping.channel(request.channel, field: "channel").rawValue }
    if !request.applicant.isEmpty {
      // Only a caller who sees ID numbers may search by one; anyone else matches names only,
      // so the answer cannot tell whether an ID number has cases (docs/SECURITY.md).
      if PersonalDataAccess.seesPersonalData(principal) {
        filter.applicant = .nameOrIDNumber(request.applicant)
      } else {
        try PersonalDataAccess.refuseIDNumberSearch(request.applicant, field: "applicant")
        filter.applicant = .name(request.applicant)
      }
    }
    if request.hasSubmittedFrom { filter.submittedFrom = try Validation.timestamp(request.submittedFrom, field: "submitted_from").seconds }
    if request.hasSubmittedTo { filter.submittedTo = try Validation.timestamp(request.submittedTo, field: "submitted_to").seconds }
    filter.overdueOnly = request.overdueOnly
    if !request.unitCode.isEmpty { filter.unitCode = request.unitCode }
    let query = filter
    return try await self.store.withConnection { connection in
      let records = try await CaseRepository(connection).list(query)
      var calendars: [String: WorkingCalendar] = [:]
      var response = Civicgrid_V1_ListCasesResponse()
      let now = Instant.now
      for record in records.prefix(size) {
        if calendars[record.jurisdiction] == nil {
          calendars[record.jurisdiction] = try await CalendarStore.require(
            record.jurisdiction, knownKey: record.calendarKey, on: connection
          ).calendar
        }
        response.cases.append(
          try CaseMapping.summary(record, calendar: calendars[record.jurisdiction]!, at: now)
        )
      }
      if records.count > size { response.nextPageToken = PageToken(after: records[size - 1].id).encoded }
      return response
    }
  }

  /// The inbox of a unit: earliest deadline first, paused clocks last; keyset on (deadline, task row id).
  public func listTasks(request: Civicgrid_V1_ListTasksRequest, context: ServerContext) async throws -> Civicgrid_V1_ListTasksResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    var afterDeadline = "-infinity"
    var afterID: Int64 = 0
    if let token = try PageToken.decode(request.pageToken, parts: 2) {
      // The key is (deadline seconds, task row id), with "Infinity" past the last deadline.
      let parts = token.parts
      guard parts[0] == "Infinity" || Int64(parts[0]).map(Validation.timestampSeconds.contains) == true, let id = Int64(parts[1]) else {
        throw Require.invalid("page_token", "is not a token this server issued")
      }
      afterDeadline = parts[0]
      afterID = id
    }
    return try await self.store.withConnection { connection in
      var unitID = principal.unitID
      if !request.unitCode.isEmpty, request.unitCode != principal.unitCode {
        guard let unit = try await UnitRepository(connection).idAndPath(code: request.unitCode), principal.scope.contains(path: unit.path) else {
          throw DomainError.notFound("unit_code: unit \(request.unitCode)")
        }
        unitID = unit.id
      }
      let rows = try await CaseRepository(connection).inbox(
        unitID: unitID,
        includeFinished: request.includeFinished,
        after: (afterDeadline, afterID),
        limit: size + 1
      )
      var response = Civicgrid_V1_ListTasksResponse()
      var calendars: [String: WorkingCalendar] = [:]
      let now = Instant.now
      for row in rows.prefix(size) {
        let value = row.value
        if calendars[row.jurisdiction] == nil {
          calendars[row.jurisdiction] = try await CalendarStore.require(row.jurisdiction, on: connection).calendar
        }
        guard value.tasks.indices.contains(row.number - 1) else { continue }
        var task = try CaseMapping.message(
          value.tasks[row.number - 1], calendar: calendars[row.jurisdiction]!, at: now, policy: value.warningPolicy
        )
        task.caseID = CaseNumber.format(row.caseID)
        task.itemName = row.itemName
        response.tasks.append(task)
      }
      if rows.count > size {
        let last = rows[size - 1]
        response.nextPageToken = PageToken(parts: [last.deadline, String(last.taskRowID)]).encoded
      }
      return response
    }
  }
}
