import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// The tier's commands (reply, escalate) and the first receiver's (the citizen's answer, the
/// return visit), each through `CaseExecutor`.
extension RequestsService {
  /// Who may give a command on a request.
  enum Side: Sendable {
    /// Staff of the unit holding the open tier task; with `supervisors`, also a supervisor
    /// whose scope holds that unit.
    case tier(supervisors: Bool)
    /// The first receiver's side: staff whose scope holds the intake unit.
    case receiver
  }

  public func escalateRequest(request: Civicgrid_V1_EscalateRequestRequest, context: ServerContext) async throws
    -> Civicgrid_V1_CitizenRequest
  {
    let reason = try Require.text("reason", request.reason, max: 2000)
    return try await self.command(request.requestID, request.expectedVersion, name: "escalated", by: .tier(supervisors: true)) { _ in
      .escalate(reason: reason)
    }
  }

  public func replyToRequest(request: Civicgrid_V1_ReplyToRequestRequest, context: ServerContext) async throws
    -> Civicgrid_V1_CitizenRequest
  {
    let reply = try Require.text("reply", request.reply, max: 4000)
    return try await self.command(request.requestID, request.expectedVersion, name: "replied", by: .tier(supervisors: false)) { _ in
      .reply(text: reply)
    }
  }

  public func confirmReply(request: Civicgrid_V1_ConfirmReplyRequest, context: ServerContext) async throws -> Civicgrid_V1_CitizenRequest {
    if request.accepted {
      let note = request.note.isEmpty ? "" : try Require.text("note", request.note, max: 2000)
      return try await self.command(request.requestID, request.expectedVersion, name: "reply accepted", by: .receiver) { _ in
        .confirm(note: note)
      }
    }
    let note = try Require.text("note", request.note, max: 2000)
    return try await self.command(request.requestID, request.expectedVersion, name: "reply rejected", by: .receiver) { context in
      context.record.value.rejection(reason: note)
    }
  }

  public func recordRequestVisit(
    request: Civicgrid_V1_RecordRequestVisitRequest,
    context: ServerContext
  ) async throws -> Civicgrid_V1_CitizenRequest {
    let note = request.note.isEmpty ? "" : try Require.text("note", request.note, max: 2000)
    let satisfied = request.satisfied
    return try await self.command(
      request.requestID,
      request.expectedVersion,
      name: satisfied ? "visited, satisfied" : "visited, not satisfied",
      by: .receiver,
      after: { context in
        let recorded = try await CitizenRequestRepository(context.connection).recordVisit(
          context.record.id,
          satisfied: satisfied,
          note: note,
          at: context.now
        )
        guard recorded else { throw DomainError.precondition("request \(context.number)", "already has its return visit") }
      }
    ) { _ in .returnVisit(satisfied: satisfied, note: note) }
  }

  /// One request command through the case executor: the caller's side, the command `decide`
  /// chooses, the side table (`after`), the audit row and the answer.
  private func command(
    _ requestID: String,
    _ expectedVersion: Int64,
    name: String,
    by side: Side,
    after: @escaping @Sendable (CaseExecutor.Context) async throws -> Void = { _ in },
    _ decide: @escaping @Sendable (CaseExecutor.Context) async throws -> CitizenRequestCommand
  ) async throws -> Civicgrid_V1_CitizenRequest {
    try await CaseExecutor(store: self.store).run(
      caseID: requestID,
      field: "request_id",
      expectedVersion: expectedVersion,
      kinds: Self.kinds,
      noun: "request",
      at: self.now(),
      access: { context in try await Self.requireSide(side, context) },
      apply: { context, version in
        try context.record.value.applying(
          try await decide(context),
          of: CitizenRequestKind.citizenRequest,
          expectedVersion: version,
          at: context.now,
          by: context.party
        )
      },
      after: { context, _ in try await after(context) },
      audit: { context, change in ("request/\(context.number)", Self.summary(name, change)) },
      map: { context, change in
        var record = context.record
        record.value = change.case
        return try await Self.message(record, calendar: context.calendar, at: context.now, on: context.connection)
      }
    )
  }

  /// Staff of another unit get the same NOT_FOUND as for a request outside their scope.
  static func requireSide(_ side: Side, _ context: CaseExecutor.Context) async throws {
    let notFound = DomainError.notFound("request \(context.number)")
    switch side {
    case .receiver:
      guard context.record.intakeInScope else { throw notFound }
    case .tier(let supervisors):
      guard let task = context.record.value.tasks.last else { throw notFound }
      if task.unit.rawValue == context.principal.unitCode { return }
      guard supervisors, context.principal.has(.supervisor),
        let path = try await UnitRepository(context.connection).idAndPath(code: task.unit.rawValue)?.path,
        context.principal.scope.contains(path: path)
      else { throw notFound }
    }
  }

  /// The audit line: what was done, and where the request went when it moved tiers.
  static func summary(_ name: String, _ change: CaseChange) -> String {
    let opened = change.events.compactMap { event -> String? in
      if case .taskCreated(let unit, let limit) = event.kind { return "\(unit) within \(limit)" }
      return nil
    }
    var summary = "\(name); \(change.case.state)"
    if !opened.isEmpty { summary += ", now at \(opened.joined(separator: ", "))" }
    return summary
  }
}
