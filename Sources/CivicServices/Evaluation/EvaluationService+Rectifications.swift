import CivicDomain
public import CivicProtos
import CivicStore
import Foundation
public import GRPCCore

/// Bad-rating rectifications (差评整改): cases of kind `rectification` on the engine, filed
/// under the retired catalogue entry `RECTIFICATION` (migration 0008). The case holds state,
/// version, the responsible unit's task and its clock (watched by the warning sweeper) and the
/// timeline; table `rectifications` holds the rating it answers and the return visit's finding.
extension EvaluationService {
  static let rectificationItem = ItemRef(code: "RECTIFICATION", version: 1)

  /// Opens the rectification of a bad rating in the rating's transaction: the case row for the
  /// responsible unit (the rated case's unit), its task on a clock of 5 working days, its events
  /// and its `rectifications` row. Returns its number and due date.
  static func openRectification(
    ratingID: Int64,
    rated: CaseRecord,
    level: Rating.Level,
    principal: Principal,
    at: Instant,
    on connection: StoreConnection
  ) async throws -> (number: String, due: CivilDate) {
    let id = try await CaseWriter.nextID(on: connection)
    let calendar = try await CalendarStore.require(rated.jurisdiction, on: connection).calendar
    let change = try Case.openRectification(
      id: CaseID(CaseNumber.format(id)),
      item: Self.rectificationItem,
      title: "差评整改 \(rated.number): \(level.rawValue)",
      for: UnitID(rated.unitCode),
      at: at,
      by: CasesService.party(principal)
    )
    guard let unit = try await connection.query("SELECT id FROM units WHERE code = $1", [rated.unitCode]).scalar(Int64.self) else {
      throw DomainError.notFound("unit \(rated.unitCode)")
    }
    try await CaseWriter.insert(
      id: id,
      change,
      unitID: unit,
      unitPath: rated.unitPath,
      jurisdiction: rated.jurisdiction,
      calendar: calendar,
      at: at,
      on: connection
    )
    try await connection.execute(
      "INSERT INTO rectifications (case_id, rating_id, rated_case_id, unit_id, unit_path) VALUES ($1, $2, $3, $4, $5)",
      [id, ratingID, rated.id, unit, rated.unitPath]
    )
    let deadline = try change.case.rectificationTask!.clock.deadlineIgnoringOpenPause(in: calendar)
    return (CaseNumber.format(id), calendar.localDate(of: deadline))
  }

  /// Voids the rectification of `ratingID` after an upheld appeal, unless the return visit
  /// already closed it. Returns its number when it was voided; the appeal's audit row names it.
  static func voidRectification(
    ratingID: Int64,
    reason: String,
    principal: Principal,
    at: Instant,
    on connection: StoreConnection
  ) async throws -> String? {
    guard let id = try await connection.query("SELECT case_id FROM rectifications WHERE rating_id = $1", [ratingID]).scalar(Int64.self)
    else { return nil }
    let record = try await CaseRecord.load(id, scope: .everything, on: connection, lock: true)
    guard CasePolicy.rectification.allows(.refuse, from: record.value.state) else { return nil }
    try await Self.apply(
      .void(reason: reason),
      to: record,
      expectedVersion: record.value.version,
      principal: principal,
      at: at,
      on: connection
    )
    return record.number
  }

  // MARK: RPCs

  public func listRectifications(
    request: Civicgrid_V1_ListRectificationsRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_ListRectificationsResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    let after = try Require.pageToken(request.pageToken) ?? Int64.max
    let states = ["opened", "rectifying", "awaitingReturnVisit", "rectified", "voided"]
    guard request.state.isEmpty || states.contains(request.state) else {
      throw Require.invalid("state", "must be one of \(states.joined(separator: ", ")), got \"\(request.state.prefix(40))\"")
    }
    return try await self.store.withConnection { connection in
      let scope: UnitScope =
        request.unitCode.isEmpty
        ? Self.scope(principal)
        : .subtree(try await Self.unit(request.unitCode, field: "unit_code", principal: principal, on: connection).path)
      let range = scope.sqlRange
      let ids = try await connection.query(
        """
        SELECT x.case_id FROM rectifications x JOIN cases c ON c.id = x.case_id
        WHERE x.unit_path >= $1 AND x.unit_path < $2 AND x.case_id < $3 AND ($4 = '' OR c.state = $4)
        ORDER BY x.case_id DESC LIMIT $5
        """,
        [range.lower, range.upper, after, request.state, size + 1]
      ).rows.map { try $0.decode(Int64.self, at: 0) }
      var response = Civicgrid_V1_ListRectificationsResponse()
      for id in ids.prefix(size) { response.rectifications.append(try await Self.rectification(id, on: connection)) }
      if ids.count > size, let last = ids.prefix(size).last { response.nextPageToken = String(last) }
      return response
    }
  }

  public func reportRectification(
    request: Civicgrid_V1_ReportRectificationRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_RectificationRecord {
    let report = try Require.text("report", request.report)
    return try await self.changeRectification(request.rectificationID, request.expectedVersion, .report(text: report))
  }

  public func recordReturnVisit(
    request: Civicgrid_V1_RecordReturnVisitRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_RectificationRecord {
    let note = request.note.isEmpty ? "" : try Require.text("note", request.note)
    return try await self.changeRectification(
      request.rectificationID,
      request.expectedVersion,
      .returnVisit(satisfied: request.satisfied, note: note)
    )
  }

  /// One rectification command: lock its case (in the caller's scope), apply, write, audit.
  func changeRectification(
    _ rawID: String,
    _ expectedVersion: Int64,
    _ command: RectificationCommand
  ) async throws -> Civicgrid_V1_RectificationRecord {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(rawID, field: "rectification_id")
    let version = try Require.version("expected_version", expectedVersion)
    let at = self.now()
    return try await self.store.transaction { connection in
      let range = Self.scope(principal).sqlRange
      let unitPath = try await connection.query(
        "SELECT unit_path FROM rectifications WHERE case_id = $1 AND unit_path >= $2 AND unit_path < $3",
        [id, range.lower, range.upper]
      ).scalar(String.self)
      guard let unitPath else { throw DomainError.notFound("rectification \(CaseNumber.format(id))") }
      // Separation of duties: the unit being rectified reports; the return visit that closes its
      // rectification is made from outside it (a unit above it).
      if case .returnVisit = command, principal.unitPath.hasPrefix(unitPath) {
        throw RPCError(
          code: .permissionDenied,
          message: "rectification \(CaseNumber.format(id)): its return visit is recorded by a unit above the unit being rectified, not by that unit"
        )
      }
      let record = try await CaseRecord.load(id, scope: .everything, on: connection, lock: true)
      let state = try await Self.apply(command, to: record, expectedVersion: version, principal: principal, at: at, on: connection)
      try await AuditLog.append(
        on: connection,
        object: "rectification/\(record.number)",
        summary: "\(command.action.rawValue): \(record.value.state) → \(state)"
      )
      return try await Self.rectification(id, on: connection)
    }
  }

  /// Applies `command` to the locked rectification case: the case write (state, task, clock,
  /// events) and the return visit's finding. The caller writes the audit row. Returns the new state.
  @discardableResult
  private static func apply(
    _ command: RectificationCommand,
    to record: CaseRecord,
    expectedVersion: Int,
    principal: Principal,
    at: Instant,
    on connection: StoreConnection
  ) async throws -> CaseState {
    let change = try record.value.applying(command, expectedVersion: expectedVersion, at: at, by: CasesService.party(principal))
    let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
    try await CaseWriter.write(id: record.id, old: record.value, new: change, unitPath: record.unitPath, calendar: calendar, on: connection)
    if case .returnVisit(let satisfied, let note) = command {
      try await connection.execute(
        """
        UPDATE rectifications SET return_visit_satisfied = $2, return_visit_note = $3, visited_at = to_timestamp($4::bigint)
        WHERE case_id = $1
        """,
        [record.id, satisfied, note, at.secondsSinceEpoch]
      )
    }
    return change.case.state
  }

  static func rectification(_ id: Int64, on connection: StoreConnection) async throws -> Civicgrid_V1_RectificationRecord {
    let row = try await connection.query(
      """
      SELECT x.rating_id, x.rated_case_id, u.code, c.snapshot::text, c.jurisdiction, extract(epoch FROM c.submitted_at)::bigint,
        r.level, r.comment, coalesce(x.return_visit_satisfied, false), x.return_visit_note
      FROM rectifications x JOIN cases c ON c.id = x.case_id JOIN units u ON u.id = x.unit_id JOIN ratings r ON r.id = x.rating_id
      WHERE x.case_id = $1
      """,
      [id]
    ).rows[0]
    let value = try JSONDecoder().decode(Case.self, from: Data(try row.decode(String.self, at: 3).utf8))
    let calendar = try await CalendarStore.require(try row.decode(String.self, at: 4), on: connection).calendar
    var message = Civicgrid_V1_RectificationRecord()
    message.id = CaseNumber.format(id)
    message.ratingID = try row.decode(Int64.self, at: 0)
    message.caseID = CaseNumber.format(try row.decode(Int64.self, at: 1))
    message.unitCode = try row.decode(String.self, at: 2)
    message.state = value.state.rawValue
    if let task = value.rectificationTask {
      message.deadline = try task.clock.deadlineIgnoringOpenPause(in: calendar).timestamp
      message.report = task.opinion ?? ""
    }
    message.version = Int64(value.version)
    message.openedAt = Instant(secondsSinceEpoch: try row.decode(Int.self, at: 5)).timestamp
    message.ratingLevel = EvaluationMapping.level(Rating.Level(rawValue: try row.decode(String.self, at: 6))!)
    message.ratingComment = try row.decode(String.self, at: 7)
    message.returnVisitSatisfied = try row.decode(Bool.self, at: 8)
    message.returnVisitNote = try row.decode(String.self, at: 9)
    return message
  }
}
