import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension SupervisionService {
  // MARK: Notices (通报)

  public func publishNotice(request: Civicgrid_V1_PublishNoticeRequest, context: ServerContext) async throws -> Civicgrid_V1_Notice {
    let principal = try RequestContext.principal()
    let kind: String
    switch request.kind {
    case .commendation: kind = "commendation"
    case .criticism: kind = "criticism"
    default: throw Require.invalid("kind", "must be COMMENDATION or CRITICISM")
    }
    let unitCode = try Require.code("unit_code", request.unitCode)
    let period = try Self.period("period", request.period)
    let title = try Require.text("title", request.title, max: 200)
    let body = try Require.text("body", request.body, max: 8000)
    var caseIDs: [Int64] = []
    for (index, id) in request.caseIds.enumerated() { caseIDs.append(try CaseNumber.parse(id, field: "case_ids[\(index)]")) }
    var orderIDs: [Int64] = []
    for (index, id) in request.orderIds.enumerated() { orderIDs.append(try CaseNumber.parse(id, field: "order_ids[\(index)]")) }
    let now = self.now()
    return try await self.store.transaction { connection in
      let unit = try await Self.unit(unitCode, field: "unit_code", scope: principal.scope, on: connection)
      for (index, id) in caseIDs.enumerated() {
        do { _ = try await CaseRecord.load(id, scope: principal.scope, on: connection, lock: false) } catch is DomainError {
          throw Require.invalid("case_ids[\(index)]", "case \(CaseNumber.format(id)) not found")
        }
      }
      // Orders are cases: the scope rule of every case read applies, and an order outside the
      // scope is answered exactly like a missing one.
      for (index, id) in orderIDs.enumerated() {
        let record: CaseRecord?
        do { record = try await CaseRecord.load(id, scope: principal.scope, on: connection, lock: false) } catch is DomainError {
          record = nil
        }
        guard let record, CasePolicy.orderLike(record.value.kind) != nil else {
          throw Require.invalid("order_ids[\(index)]", "order \(CaseNumber.format(id)) not found")
        }
      }
      let publishedBy = Self.party(principal).description
      let id = try await NoticeRepository(connection).publish(
        kind: kind, unitID: unit.id, period: period, title: title, body: body, caseIDs: caseIDs, orderIDs: orderIDs, by: publishedBy,
        at: now
      )
      let label = kind == "commendation" ? "通报表扬" : "通报批评"
      try await AlertWriter.append(
        [PendingAlert(kind: .notice, unitID: unit.id, unitPath: unit.path, recordID: id, summary: "\(label) \(unitCode) \(period): \(title)", at: now)],
        on: connection
      )
      try await AuditLog.append(on: connection, object: "notice/\(id)", summary: "\(kind) of \(unitCode) for \(period): \(title)")
      var m = Civicgrid_V1_Notice()
      m.id = id
      m.kind = request.kind
      m.unitCode = unitCode
      m.period = period
      m.title = title
      m.body = body
      m.caseIds = caseIDs.map(CaseNumber.format)
      m.orderIds = orderIDs.map(CaseNumber.format)
      m.publishedBy = publishedBy
      m.publishedAt = now.timestamp
      return m
    }
  }

  public func listNotices(request: Civicgrid_V1_ListNoticesRequest, context: ServerContext) async throws -> Civicgrid_V1_ListNoticesResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    guard size <= 200 else { throw Require.invalid("page_size", "must be 1–200, got \(size)") }
    let after = try PageToken.decode(request.pageToken)?.id() ?? Int64.max
    let period = request.period.isEmpty ? "" : try Self.period("period", request.period)
    let kind: String
    switch request.kind {
    case .unspecified: kind = ""
    case .commendation: kind = "commendation"
    case .criticism: kind = "criticism"
    default: throw Require.invalid("kind", "must be COMMENDATION or CRITICISM")
    }
    return try await self.store.transaction(isolation: .repeatableRead) { connection in
      var range = principal.scope.sqlRange
      if !request.unitCode.isEmpty {
        let unit = try await Self.unit(try Require.code("unit_code", request.unitCode), field: "unit_code", scope: principal.scope, on: connection)
        range = UnitScope.subtree(unit.path).sqlRange
      }
      let rows = try await NoticeRepository(connection).notices(
        range: range, before: after, period: period.isEmpty ? nil : period, kind: kind.isEmpty ? nil : kind, limit: size + 1
      )
      var response = Civicgrid_V1_ListNoticesResponse()
      for row in rows.prefix(size) {
        var m = Civicgrid_V1_Notice()
        m.id = row.id
        m.kind = row.kind == "commendation" ? .commendation : .criticism
        m.unitCode = row.unitCode
        m.period = row.period
        m.title = row.title
        m.body = row.body
        m.caseIds = row.caseIDs.map(CaseNumber.format)
        m.orderIds = row.orderIDs.map(CaseNumber.format)
        m.publishedBy = row.publishedBy
        m.publishedAt = row.publishedAt.timestamp
        response.notices.append(m)
      }
      if rows.count > size { response.nextPageToken = PageToken(after: response.notices.last!.id).encoded }
      return response
    }
  }

  // MARK: Inspections (季度检查督导)

  public func recordInspection(request: Civicgrid_V1_RecordInspectionRequest, context: ServerContext) async throws -> Civicgrid_V1_Inspection {
    let principal = try RequestContext.principal()
    let period = try Self.period("period", request.period, quarterOnly: true)
    let title = try Require.text("title", request.title, max: 200)
    guard !request.findings.isEmpty else { throw Require.invalid("findings", "needs at least one finding") }
    guard request.findings.count <= 200 else { throw Require.invalid("findings", "must be at most 200") }
    var findings: [(unit: String, description: String, days: Int)] = []
    for (index, finding) in request.findings.enumerated() {
      let unit = try Require.code("findings[\(index)].unit_code", finding.unitCode)
      let description = try Require.text("findings[\(index)].description", finding.description_p, max: 2000)
      guard (1...60).contains(finding.rectifyWorkingDays) else {
        throw Require.invalid("findings[\(index)].rectify_working_days", "must be 1–60, got \(finding.rectifyWorkingDays)")
      }
      findings.append((unit, description, Int(finding.rectifyWorkingDays)))
    }
    let now = self.now()
    return try await self.store.transaction { connection in
      var units: [(id: Int64, path: String)] = []
      for (index, finding) in findings.enumerated() {
        units.append(try await Self.unit(finding.unit, field: "findings[\(index)].unit_code", scope: principal.scope, on: connection))
      }
      let recordedBy = Self.party(principal).description
      let notices = NoticeRepository(connection)
      let id = try await notices.recordInspection(period: period, title: title, by: recordedBy, at: now)
      var m = Civicgrid_V1_Inspection()
      m.id = id
      m.period = period
      m.title = title
      m.recordedBy = recordedBy
      m.recordedAt = now.timestamp
      for (position, finding) in findings.enumerated() {
        // Each finding's rectification is an order-like case on the engine: a task for the unit
        // with its own working-day clock, warned on by the sweeper like any task.
        let (caseID, _, _) = try await Self.openOrder(
          policy: .inspectionFinding, item: ItemRef(code: "INSPECTION-FINDING", version: 1), title: "\(title): \(finding.unit)",
          requirement: finding.description, level: .ordinary, unit: (UnitID(finding.unit), units[position].id, units[position].path),
          replyDays: finding.days, subject: nil, inspection: id, principal: principal, at: now, on: connection
        )
        try await notices.addFinding(
          inspectionID: id, position: position, unitID: units[position].id, description: finding.description, days: finding.days,
          rectificationCaseID: caseID
        )
        var f = Civicgrid_V1_Finding()
        f.unitCode = finding.unit
        f.description_p = finding.description
        f.rectifyWorkingDays = Int32(finding.days)
        f.rectificationID = CaseNumber.format(caseID)
        m.findings.append(f)
      }
      try await AlertWriter.append(
        [
          PendingAlert(
            kind: .inspection, unitID: principal.unitID, unitPath: principal.unitPath, recordID: id,
            summary: "inspection \(period) recorded: \(title), \(findings.count) finding(s)", at: now
          )
        ],
        on: connection
      )
      try await AuditLog.append(on: connection, object: "inspection/\(id)", summary: "\(period) \(title): \(findings.count) finding(s)")
      return m
    }
  }

  public func listInspections(
    request: Civicgrid_V1_ListInspectionsRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_ListInspectionsResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    guard size <= 200 else { throw Require.invalid("page_size", "must be 1–200, got \(size)") }
    let after = try PageToken.decode(request.pageToken)?.id() ?? Int64.max
    let period = request.period.isEmpty ? "" : try Self.period("period", request.period, quarterOnly: true)
    let range = principal.scope.sqlRange
    return try await self.store.transaction(isolation: .repeatableRead) { connection in
      // An inspection is visible when one of its findings concerns a unit in the caller's scope.
      let notices = NoticeRepository(connection)
      let rows = try await notices.inspections(range: range, before: after, period: period.isEmpty ? nil : period, limit: size + 1)
      var response = Civicgrid_V1_ListInspectionsResponse()
      for row in rows.prefix(size) {
        var m = Civicgrid_V1_Inspection()
        m.id = row.id
        m.period = row.period
        m.title = row.title
        m.recordedBy = row.recordedBy
        m.recordedAt = row.recordedAt.timestamp
        for finding in try await notices.findings(of: row.id) {
          var f = Civicgrid_V1_Finding()
          f.unitCode = finding.unitCode
          f.description_p = finding.description
          f.rectifyWorkingDays = finding.rectifyWorkingDays
          f.rectificationID = CaseNumber.format(finding.rectificationCaseID)
          m.findings.append(f)
        }
        response.inspections.append(m)
      }
      if rows.count > size { response.nextPageToken = PageToken(after: response.inspections.last!.id).encoded }
      return response
    }
  }
}
