import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// Bad-rating rectifications (差评整改): cases of kind `rectification` (`RectificationKind`),
/// filed under the retired catalogue entry `RECTIFICATION` (migration 0008). The case holds
/// state, version, the responsible unit's task and its clock (watched by the warning sweeper)
/// and the timeline; table `rectifications` holds the rating it answers and the return visit's finding.
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
    let cases = CaseRepository(connection)
    let id = try await cases.nextID()
    let calendar = try await CalendarStore.require(rated.jurisdiction, on: connection).calendar
    let change = try Case.openRectification(
      id: CaseID(CaseNumber.format(id)),
      item: Self.rectificationItem,
      title: "差评整改 \(rated.number): \(level.rawValue)",
      for: UnitID(rated.unitCode),
      at: at,
      by: CasesService.party(principal)
    )
    // The responsible unit is the rated case's intake unit.
    try await cases.insert(
      NewCase(id: id, change: change, unitID: rated.unitID, unitPath: rated.unitPath, jurisdiction: rated.jurisdiction, at: at),
      calendar: calendar
    )
    try await RectificationRepository(connection).insert(
      caseID: id, ratingID: ratingID, ratedCaseID: rated.id, unitID: rated.unitID, unitPath: rated.unitPath
    )
    let deadline = try change.case.rectificationTask!.clock.deadlineIgnoringOpenPause(in: calendar)
    return (CaseNumber.format(id), calendar.localDate(of: deadline))
  }

  /// Voids the rectification of `ratingID` after an upheld appeal, unless the return visit
  /// already closed it, in the appeal's transaction. Returns its number when it was voided; the
  /// appeal's audit row names it.
  static func voidRectification(
    ratingID: Int64,
    reason: String,
    principal: Principal,
    at: Instant,
    on connection: StoreConnection
  ) async throws -> String? {
    guard let id = try await RectificationRepository(connection).caseID(forRating: ratingID) else { return nil }
    let current = try await CaseRecord.load(id, scope: .everything, on: connection, lock: true)
    guard RectificationKind.rectification.policy.allows(.void, from: current.value.state) else { return nil }
    let command = RectificationCommand.void(reason: reason)
    let target = CaseExecutor.Target(
      id: id, expectedVersion: current.value.version, kinds: Self.rectificationKinds, noun: "rectification", scope: .everything
    )
    return try await CaseExecutor.execute(
      target,
      by: principal,
      at: at,
      on: connection,
      apply: { context, version in
        try context.record.value.applying(command, of: RectificationKind.rectification, expectedVersion: version, at: at, by: context.party)
      },
      audit: { _, _ in nil },  // the appeal's audit row names the voided rectification
      map: { context, _ in context.number }
    )
  }

  // MARK: RPCs

  public func listRectifications(
    request: Civicgrid_V1_ListRectificationsRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_ListRectificationsResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    let after = try PageToken.decode(request.pageToken)?.id() ?? Int64.max
    let states = ["opened", "rectifying", "awaitingReturnVisit", "rectified", "voided"]
    guard request.state.isEmpty || states.contains(request.state) else {
      throw Require.invalid("state", "must be one of \(states.joined(separator: ", ")), got \"\(request.state.prefix(40))\"")
    }
    return try await self.store.withConnection { connection in
      let scope: UnitScope =
        request.unitCode.isEmpty
        ? Self.scope(principal)
        : .subtree(try await Self.unit(request.unitCode, field: "unit_code", principal: principal, on: connection).path)
      let rectifications = RectificationRepository(connection)
      let ids = try await rectifications.list(
        range: scope.sqlRange, before: after, state: request.state.isEmpty ? nil : request.state, limit: size + 1
      )
      var response = Civicgrid_V1_ListRectificationsResponse()
      for id in ids.prefix(size) { response.rectifications.append(try await Self.rectification(id, on: connection)) }
      if ids.count > size, let last = ids.prefix(size).last { response.nextPageToken = PageToken(after: last).encoded }
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

  static let rectificationKinds: Set<String> = [RectificationKind.rectification.name]

  /// One rectification command through the case executor: the rectification must be of a unit
  /// in the caller's scope; the return visit's finding goes to its row.
  func changeRectification(
    _ rawID: String,
    _ expectedVersion: Int64,
    _ command: RectificationCommand
  ) async throws -> Civicgrid_V1_RectificationRecord {
    try await CaseExecutor(store: self.store).run(
      caseID: rawID,
      field: "rectification_id",
      expectedVersion: expectedVersion,
      kinds: Self.rectificationKinds,
      noun: "rectification",
      scope: { _ in .everything },
      at: self.now(),
      access: { context in
        let range = Self.scope(context.principal).sqlRange
        guard let unitPath = try await RectificationRepository(context.connection).unitPath(of: context.record.id, in: range) else {
          throw DomainError.notFound("rectification \(context.number)")
        }
        // Separation of duties: the unit being rectified reports; the return visit that closes its
        // rectification is made from outside it (a unit above it).
        if case .returnVisit = command, context.principal.unitPath.hasPrefix(unitPath) {
          throw DomainError.permissionDenied(
            "rectification \(context.number): its return visit is recorded by a unit above the unit being rectified, not by that unit"
          )
        }
      },
      apply: { context, version in
        try context.record.value.applying(command, of: RectificationKind.rectification, expectedVersion: version, at: context.now, by: context.party)
      },
      after: { context, _ in
        if case .returnVisit(let satisfied, let note) = command {
          try await RectificationRepository(context.connection).recordReturnVisit(
            caseID: context.record.id, satisfied: satisfied, note: note, at: context.now
          )
        }
      },
      audit: Self.rectificationAudit(command),
      map: { context, _ in try await Self.rectification(context.record.id, on: context.connection) }
    )
  }

  /// The audit line of a rectification command: its verb and the state it moved through.
  static func rectificationAudit(_ command: RectificationCommand) -> @Sendable (CaseExecutor.Context, CaseChange) -> CaseExecutor.AuditEntry? {
    { context, change in
      let action = RectificationKind.rectification.action(of: command)
      return ("rectification/\(context.number)", "\(action.rawValue): \(context.record.value.state) → \(change.case.state)")
    }
  }

  static func rectification(_ id: Int64, on connection: StoreConnection) async throws -> Civicgrid_V1_RectificationRecord {
    guard let record = try await RectificationRepository(connection).record(id) else {
      throw DomainError.notFound("rectification \(CaseNumber.format(id))")
    }
    let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
    return try EvaluationMapping.message(record, calendar: calendar)
  }
}
