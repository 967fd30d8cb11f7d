import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// The commands on a dispute: each one `CaseExecutor.run` (through `command`), its side rows
/// in `after`, the audit row and the dispute as the answer.
extension DisputesService {
  /// 联席研判: the review's risk and routes; each route opens a task on its own limit or the review's.
  public func recordReview(request: Civicgrid_V1_RecordReviewRequest, context: ServerContext) async throws -> Civicgrid_V1_Dispute {
    let principal = try RequestContext.principal()
    let heldOn = try Require.date("held_on", request.heldOn)
    guard (1...50).contains(request.participants.count) else {
      throw Require.invalid("participants", "must list 1–50 participants, got \(request.participants.count)")
    }
    let participants = try request.participants.enumerated().map { index, value throws(DomainError) in
      guard !value.contains("\n") else { throw Require.invalid("participants[\(index)]", "must be one line") }
      return try Require.text("participants[\(index)]", value, max: 100)
    }
    let risk = try DisputeMapping.risk(request.risk, field: "risk")
    let assessment = try Require.text("assessment", request.assessment, max: 4000)
    guard (1...5).contains(request.routes.count) else { throw Require.invalid("routes", "must name 1–5 routes, got \(request.routes.count)") }
    let routes = try request.routes.enumerated().map { index, route throws(DomainError) in
      guard (0...60).contains(route.workingDays) else { throw Require.invalid("routes[\(index)].working_days", "must be 1–60, got \(route.workingDays)") }
      return DisputeRoute(
        channel: try DisputeMapping.channel(route.channel, field: "routes[\(index)].channel"),
        unit: UnitID(try Require.code("routes[\(index)].unit_code", route.unitCode)),
        limit: route.workingDays == 0 ? nil : .workingDays(Int(route.workingDays))
      )
    }
    let days = Int(request.workingDays)
    return try await self.command(
      request.disputeID, expectedVersion: request.expectedVersion, action: "review",
      access: { context in
        try await Self.intakeInScope(context)
        _ = try await Self.unitIDs(of: routes, on: context.connection)
      },
      apply: { context, version in
        try context.record.value.applying(.review(routes: routes, limit: .workingDays(days)), expectedVersion: version, at: context.now, by: context.party)
      },
      after: { context, change in
        let unitIDs = try await Self.unitIDs(of: routes, on: context.connection)
        let disputes = DisputeRepository(context.connection)
        guard let details = try await disputes.load(context.record.id) else { throw DomainError.notFound("dispute \(context.number)") }
        let review = DisputeReview(
          round: details.reviews.count + 1, heldOn: heldOn, participants: participants, risk: risk, assessment: assessment,
          ladderLevel: details.record.ladderLevel, workingDays: days, recordedBy: Self.party(principal).description, recordedAt: context.now
        )
        try await disputes.recordReview(
          context.record.id, review, routes: routes, tasks: change.case.currentTasks.map(\.number), unitIDs: unitIDs
        )
      }
    )
  }

  /// The ids of the routes' units, in order; a unit that does not exist is INVALID_ARGUMENT naming its route.
  static func unitIDs(of routes: [DisputeRoute], on connection: StoreConnection) async throws -> [Int64] {
    var ids: [Int64] = []
    for (index, route) in routes.enumerated() {
      guard let unit = try await UnitRepository(connection).idAndPath(code: route.unit.rawValue) else {
        throw Require.invalid("routes[\(index)].unit_code", "unit \(route.unit) not found")
      }
      ids.append(unit.id)
    }
    return ids
  }

  public func scheduleSession(request: Civicgrid_V1_ScheduleSessionRequest, context: ServerContext) async throws -> Civicgrid_V1_Dispute {
    let task = try Self.task(request.task)
    guard request.hasScheduledAt else { throw Require.invalid("scheduled_at", "is required") }
    let scheduled = try Require.instant("scheduled_at", request.scheduledAt)
    let place = try Require.text("place", request.place, max: 200)
    return try await self.command(
      request.disputeID, expectedVersion: request.expectedVersion, action: "schedule session on task \(task)",
      access: Self.routeInScope(task),
      apply: { context, version in
        try context.record.value.applying(.scheduleSession(task: task), expectedVersion: version, at: context.now, by: context.party)
      },
      after: { context, _ in
        _ = try await DisputeRepository(context.connection).scheduleSession(
          context.record.id, task: task, at: Date(scheduled), place: place
        )
      }
    )
  }

  public func recordSession(request: Civicgrid_V1_RecordSessionRequest, context: ServerContext) async throws -> Civicgrid_V1_Dispute {
    guard request.session >= 1 else { throw Require.invalid("session", "must be at least 1, got \(request.session)") }
    let number = Int(request.session)
    guard (1...50).contains(request.attendees.count) else {
      throw Require.invalid("attendees", "must list 1–50 attendees, got \(request.attendees.count)")
    }
    let attendees = try request.attendees.enumerated().map { index, value throws(DomainError) in
      guard !value.contains("\n") else { throw Require.invalid("attendees[\(index)]", "must be one line") }
      return try Require.text("attendees[\(index)]", value, max: 100)
    }
    let notes = try Require.text("notes", request.notes, max: 4000)
    /// The session's route task, or NOT_FOUND naming the session.
    @Sendable func sessionTask(_ context: CaseExecutor.Context) async throws -> Int {
      guard let session = try await DisputeRepository(context.connection).sessionTask(context.record.id, number: number) else {
        throw DomainError.notFound("session \(number) of dispute \(context.number)")
      }
      guard !session.held else { throw DomainError.precondition("session \(number)", "was recorded as held already") }
      return session.task
    }
    return try await self.command(
      request.disputeID, expectedVersion: request.expectedVersion, action: "record session \(number)",
      access: { context in try await Self.routeInScope(try await sessionTask(context))(context) },
      apply: { context, version in
        let task = try await sessionTask(context)
        return try context.record.value.applying(.recordSession(task: task), expectedVersion: version, at: context.now, by: context.party)
      },
      after: { context, _ in
        _ = try await DisputeRepository(context.connection).recordSession(
          context.record.id, number: number, attendees: attendees, notes: notes, at: context.now
        )
      }
    )
  }

  /// The outcome of one route. When it ends a round whose routes failed, the dispute is
  /// escalated and moves one rung up its district's ladder; the next review routes it there.
  public func recordOutcome(request: Civicgrid_V1_RecordOutcomeRequest, context: ServerContext) async throws -> Civicgrid_V1_Dispute {
    let task = try Self.task(request.task)
    let outcome = try DisputeMapping.outcome(request.outcome, field: "outcome")
    let detail = try Require.text("detail", request.detail, max: 4000)
    return try await self.command(
      request.disputeID, expectedVersion: request.expectedVersion, action: "outcome of task \(task)",
      access: Self.routeInScope(task),
      apply: { context, version in
        try context.record.value.applying(
          .recordOutcome(task: task, outcome: outcome, detail: detail), expectedVersion: version, at: context.now, by: context.party
        )
      },
      after: { context, change in
        let disputes = DisputeRepository(context.connection)
        try await disputes.recordOutcome(context.record.id, task: task, outcome: outcome, detail: detail, at: context.now)
        guard change.case.state == .escalated, let details = try await disputes.load(context.record.id) else { return }
        let ladder = try await disputes.ladder(forUnitAt: details.record.unitPath)
        try await disputes.setLadderLevel(context.record.id, to: ladder.escalation(from: details.record.ladderLevel))
      }
    )
  }

  public func recordFulfilment(request: Civicgrid_V1_RecordFulfilmentRequest, context: ServerContext) async throws -> Civicgrid_V1_Dispute {
    let task = try Self.task(request.task)
    let note = try Require.text("note", request.note, max: 2000)
    let fulfilled = request.fulfilled
    return try await self.command(
      request.disputeID, expectedVersion: request.expectedVersion, action: "follow-up of task \(task)",
      access: Self.routeInScope(task),
      apply: { context, version in
        try context.record.value.applying(
          .recordFulfilment(task: task, fulfilled: fulfilled, note: note), expectedVersion: version, at: context.now, by: context.party
        )
      },
      after: { context, _ in
        let recorded = try await DisputeRepository(context.connection).recordFulfilment(
          context.record.id, task: task, fulfilled: fulfilled, note: note, at: context.now
        )
        guard recorded else { throw DomainError.precondition("task \(task)", "its agreement was followed up already") }
      }
    )
  }

  /// Closes the dispute (open routes are withdrawn), with the return visit and rating.
  public func closeDispute(request: Civicgrid_V1_CloseDisputeRequest, context: ServerContext) async throws -> Civicgrid_V1_Dispute {
    let result = try DisputeMapping.result(request.result, field: "result")
    let note = try Require.text("note", request.note, max: 2000)
    let visit: DisputeReturnVisit? = request.returnVisited ? DisputeReturnVisit(satisfied: request.satisfied, rating: Int(request.rating), note: note) : nil
    if visit == nil, request.rating != 0 { throw Require.invalid("rating", "needs return_visited") }
    return try await self.command(
      request.disputeID, expectedVersion: request.expectedVersion, action: "close as \(result.rawValue)",
      access: Self.intakeInScope,
      apply: { context, version in
        try context.record.value.applying(.close(result: result, note: note, returnVisit: visit), expectedVersion: version, at: context.now, by: context.party)
      },
      after: { context, _ in
        try await DisputeRepository(context.connection).close(context.record.id, result: result, note: note, visit: visit, at: context.now)
      }
    )
  }
}
