import CivicDomain
public import CivicProtos
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
      guard
        let id = try await connection.query(
          """
          INSERT INTO supervision_notices (kind, unit_id, period, title, body, case_ids, order_ids, published_by, published_at)
          VALUES ($1, $2, $3, $4, $5, coalesce(string_to_array(nullif($6, ''), ',')::bigint[], '{}'),
            coalesce(string_to_array(nullif($7, ''), ',')::bigint[], '{}'),
            $8, to_timestamp($9::bigint))
          RETURNING id
          """,
          [
            kind, unit.id, period, title, body, caseIDs.map(String.init).joined(separator: ","),
            orderIDs.map(String.init).joined(separator: ","), publishedBy, now.secondsSinceEpoch,
          ]
        ).scalar(Int64.self)
      else { throw RPCError(code: .internalError, message: "no notice id") }
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
    let after = try Require.pageToken(request.pageToken) ?? Int64.max
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
      let rows = try await connection.query(
        """
        SELECT n.id, n.kind, u.code, n.period, n.title, n.body, array_to_string(n.case_ids, ','), array_to_string(n.order_ids, ','),
          n.published_by, n.published_at
        FROM supervision_notices n JOIN units u ON u.id = n.unit_id
        WHERE n.id < $1 AND u.path >= $2 AND u.path < $3 AND ($4 = '' OR n.period = $4) AND ($5 = '' OR n.kind = $5)
        ORDER BY n.id DESC LIMIT $6
        """,
        [after, range.lower, range.upper, period, kind, size + 1]
      ).rows
      var response = Civicgrid_V1_ListNoticesResponse()
      for row in rows.prefix(size) {
        var m = Civicgrid_V1_Notice()
        m.id = try row.decode(Int64.self, at: 0)
        m.kind = try row.decode(String.self, at: 1) == "commendation" ? .commendation : .criticism
        m.unitCode = try row.decode(String.self, at: 2)
        m.period = try row.decode(String.self, at: 3)
        m.title = try row.decode(String.self, at: 4)
        m.body = try row.decode(String.self, at: 5)
        m.caseIds = try row.decode(String.self, at: 6).split(separator: ",").compactMap { Int64($0) }.map(CaseNumber.format)
        m.orderIds = try row.decode(String.self, at: 7).split(separator: ",").compactMap { Int64($0) }.map(CaseNumber.format)
        m.publishedBy = try row.decode(String.self, at: 8)
        m.publishedAt = try row.decode(Date.self, at: 9).timestamp
        response.notices.append(m)
      }
      if rows.count > size { response.nextPageToken = String(response.notices.last!.id) }
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
      guard
        let id = try await connection.query(
          "INSERT INTO supervision_inspections (period, title, recorded_by, recorded_at) VALUES ($1, $2, $3, to_timestamp($4::bigint)) RETURNING id",
          [period, title, recordedBy, now.secondsSinceEpoch]
        ).scalar(Int64.self)
      else { throw RPCError(code: .internalError, message: "no inspection id") }
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
        try await connection.execute(
          """
          INSERT INTO supervision_findings (inspection_id, position, unit_id, description, rectify_working_days, rectification_case_id)
          VALUES ($1, $2, $3, $4, $5, $6)
          """,
          [id, position, units[position].id, finding.description, finding.days, caseID]
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
    let after = try Require.pageToken(request.pageToken) ?? Int64.max
    let period = request.period.isEmpty ? "" : try Self.period("period", request.period, quarterOnly: true)
    let range = principal.scope.sqlRange
    return try await self.store.transaction(isolation: .repeatableRead) { connection in
      // An inspection is visible when one of its findings concerns a unit in the caller's scope.
      let rows = try await connection.query(
        """
        SELECT i.id, i.period, i.title, i.recorded_by, i.recorded_at FROM supervision_inspections i
        WHERE i.id < $1 AND ($2 = '' OR i.period = $2) AND EXISTS (
          SELECT 1 FROM supervision_findings f JOIN units u ON u.id = f.unit_id
          WHERE f.inspection_id = i.id AND u.path >= $3 AND u.path < $4)
        ORDER BY i.id DESC LIMIT $5
        """,
        [after, period, range.lower, range.upper, size + 1]
      ).rows
      var response = Civicgrid_V1_ListInspectionsResponse()
      for row in rows.prefix(size) {
        var m = Civicgrid_V1_Inspection()
        m.id = try row.decode(Int64.self, at: 0)
        m.period = try row.decode(String.self, at: 1)
        m.title = try row.decode(String.self, at: 2)
        m.recordedBy = try row.decode(String.self, at: 3)
        m.recordedAt = try row.decode(Date.self, at: 4).timestamp
        let findings = try await connection.query(
          """
          SELECT u.code, f.description, f.rectify_working_days, f.rectification_case_id
          FROM supervision_findings f JOIN units u ON u.id = f.unit_id WHERE f.inspection_id = $1 ORDER BY f.position
          """,
          [m.id]
        ).rows
        for finding in findings {
          var f = Civicgrid_V1_Finding()
          f.unitCode = try finding.decode(String.self, at: 0)
          f.description_p = try finding.decode(String.self, at: 1)
          f.rectifyWorkingDays = try finding.decode(Int32.self, at: 2)
          f.rectificationID = CaseNumber.format(try finding.decode(Int64.self, at: 3))
          m.findings.append(f)
        }
        response.inspections.append(m)
      }
      if rows.count > size { response.nextPageToken = String(response.inspections.last!.id) }
      return response
    }
  }
}
