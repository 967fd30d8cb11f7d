import CivicDomain
public import CivicProtos
import CivicStore
import Foundation
import SwiftProtobuf
public import GRPCCore

extension CasesService {
  public func getCase(request: Civicgrid_V1_GetCaseRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(request.caseID)
    return try await self.store.withConnection { connection in
      let record = try await CaseRecord.load(id, scope: principal.scope, on: connection, lock: false)
      let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
      let timeline = try await connection.query(
        "SELECT seq, at, by_party, task, kind, summary FROM case_events WHERE case_id = $1 ORDER BY seq", [id]
      ).rows.map { row in
        var entry = Civicgrid_V1_TimelineEntry()
        entry.sequence = try row.decode(Int64.self, at: 0)
        entry.at = try row.decode(Date.self, at: 1).timestamp
        entry.by = try row.decode(String.self, at: 2)
        entry.task = try row.decode(Int32.self, at: 3)
        entry.kind = try row.decode(String.self, at: 4)
        entry.summary = try row.decode(String.self, at: 5)
        return entry
      }
      return try CaseMapping.message(
        record, calendar: calendar, at: .now, timeline: timeline
      )
    }
  }

  /// Newest first; keyset on the case id (the page token is the last id returned).
  public func listCases(request: Civicgrid_V1_ListCasesRequest, context: ServerContext) async throws -> Civicgrid_V1_ListCasesResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    let after = try Require.pageToken(request.pageToken) ?? Int64.max
    let range = principal.scope.sqlRange
    var binds: [any SQLEncodable] = [after, range.lower, range.upper]
    var filters: [String] = []
    func bind(_ value: any SQLEncodable) -> String {
      binds.append(value)
      return "$\(binds.count)"
    }
    if !request.state.isEmpty { filters.append("c.state = \(bind(request.state))") }
    if !request.itemCode.isEmpty { filters.append("c.item_code = \(bind(request.itemCode))") }
    if request.channel != .unspecified {
      filters.append("c.channel = \(bind(try CatalogMapping.channel(request.channel, field: "channel").rawValue))")
    }
    if !request.applicant.isEmpty {
      // Only a caller who sees ID numbers may search by one; anyone else matches names only,
      // so the answer cannot tell whether an ID number has cases (docs/SECURITY.md).
      let p = bind(request.applicant)
      if PersonalDataAccess.seesPersonalData(principal) {
        filters.append("(c.applicant_name = \(p) OR c.applicant_id_number = upper(\(p)))")
      } else {
        try PersonalDataAccess.refuseIDNumberSearch(request.applicant, field: "applicant")
        filters.append("c.applicant_name = \(p)")
      }
    }
    if request.hasSubmittedFrom {
      let from = try Validation.timestamp(request.submittedFrom, field: "submitted_from")
      filters.append("c.submitted_at >= to_timestamp(\(bind(from.seconds))::bigint)")
    }
    if request.hasSubmittedTo {
      let to = try Validation.timestamp(request.submittedTo, field: "submitted_to")
      filters.append("c.submitted_at < to_timestamp(\(bind(to.seconds))::bigint)")
    }
    if request.overdueOnly { filters.append("c.is_open AND c.deadline < now()") }
    if !request.unitCode.isEmpty {
      let p = bind(request.unitCode)
      filters.append(
        """
        (c.unit_id = (SELECT id FROM units WHERE code = \(p))
         OR EXISTS (SELECT 1 FROM case_tasks t WHERE t.case_id = c.id AND t.unit_id = (SELECT id FROM units WHERE code = \(p))))
        """
      )
    }
    let limit = bind(size + 1)
    let sql =
      CaseRecord.selectColumns + """
         WHERE c.id < $1
          AND ((u.path >= $2 AND u.path < $3)
               OR EXISTS (SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
                          WHERE t.case_id = c.id AND tu.path >= $2 AND tu.path < $3))
        """ + filters.map { " AND " + $0 }.joined() + " ORDER BY c.id DESC LIMIT \(limit)"
    let finalBinds = binds
    return try await self.store.withConnection { connection in
      let rows = try await connection.query(sql, finalBinds).rows
      var calendars: [String: WorkingCalendar] = [:]
      var response = Civicgrid_V1_ListCasesResponse()
      let now = Instant.now
      for row in rows.prefix(size) {
        let record = try CaseRecord(row: row)
        if calendars[record.jurisdiction] == nil {
          calendars[record.jurisdiction] = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
        }
        response.cases.append(
          try CaseMapping.message(record, calendar: calendars[record.jurisdiction]!, at: now)
        )
      }
      if rows.count > size { response.nextPageToken = String(try rows[size - 1].decode(Int64.self, at: 0)) }
      return response
    }
  }

  /// The inbox of a unit: earliest deadline first, paused clocks last; keyset on (deadline, task row id).
  public func listTasks(request: Civicgrid_V1_ListTasksRequest, context: ServerContext) async throws -> Civicgrid_V1_ListTasksResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    var afterDeadline = "-infinity"
    var afterID: Int64 = 0
    if !request.pageToken.isEmpty {
      let parts = request.pageToken.split(separator: "_")
      // A token is "<deadline seconds>_<row id>", or "Infinity_<row id>" past the last deadline.
      guard parts.count == 2, parts[0] == "Infinity" || Int64(parts[0]).map(Validation.timestampSeconds.contains) == true,
        let id = Int64(parts[1])
      else {
        throw Require.invalid("page_token", "is not a token this server issued")
      }
      afterDeadline = String(parts[0])
      afterID = id
    }
    return try await self.store.withConnection { connection in
      var unitID = principal.unitID
      if !request.unitCode.isEmpty, request.unitCode != principal.unitCode {
        let rows = try await connection.query("SELECT id, path FROM units WHERE code = $1", [request.unitCode]).rows
        guard let row = rows.first, principal.scope.contains(path: try row.decode(String.self, at: 1)) else {
          throw RPCError(code: .notFound, message: "unit_code: unit \(request.unitCode) not found")
        }
        unitID = try row.decode(Int64.self, at: 0)
      }
      let rows = try await connection.query(
        """
        SELECT t.id, t.number, coalesce(extract(epoch FROM t.deadline)::bigint::text, 'Infinity'), c.id, c.snapshot::text,
          v.name, c.jurisdiction
        FROM case_tasks t
        JOIN cases c ON c.id = t.case_id
        JOIN catalog_item_versions v ON v.item_code = c.item_code AND v.version = c.item_version
        WHERE t.unit_id = $1 AND ($2 OR t.state IN ('pending', 'claimed'))
          AND (coalesce(t.deadline, 'infinity'::timestamptz), t.id) > (to_timestamp($3::float8), $4)
        ORDER BY coalesce(t.deadline, 'infinity'::timestamptz), t.id
        LIMIT $5
        """,
        [unitID, request.includeFinished, afterDeadline, afterID, size + 1]
      ).rows
      var response = Civicgrid_V1_ListTasksResponse()
      var calendars: [String: WorkingCalendar] = [:]
      let now = Instant.now
      for row in rows.prefix(size) {
        let value = try JSONDecoder().decode(Case.self, from: Data(try row.decode(String.self, at: 4).utf8))
        let jurisdiction = try row.decode(String.self, at: 6)
        if calendars[jurisdiction] == nil { calendars[jurisdiction] = try await CalendarStore.require(jurisdiction, on: connection).calendar }
        let number = try row.decode(Int.self, at: 1)
        guard value.tasks.indices.contains(number - 1) else { continue }
        var task = try CaseMapping.message(value.tasks[number - 1], calendar: calendars[jurisdiction]!, at: now, policy: value.warningPolicy)
        task.caseID = CaseNumber.format(try row.decode(Int64.self, at: 3))
        task.itemName = try row.decode(String.self, at: 5)
        response.tasks.append(task)
      }
      if rows.count > size {
        let last = rows[size - 1]
        response.nextPageToken = "\(try last.decode(String.self, at: 2))_\(try last.decode(Int64.self, at: 0))"
      }
      return response
    }
  }
}
