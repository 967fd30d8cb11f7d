public import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.Disputes`: disputes and first letters/visits at the comprehensive-governance
/// centre (docs/DISPUTES.md). A dispute is a case of kind `dispute` (`DisputeKind`); every
/// command runs through `CaseExecutor` (lock, apply, write the case, its tasks and timeline),
/// then writes its side rows (`DisputeRepository`) and the audit row.
///
/// Scope: a dispute is visible when its intake unit or a route's unit is in the caller's
/// subtree (auditors: everything). The centre's commands (review, close) need the intake unit
/// in scope; a route's commands (sessions, outcome, fulfilment) need the route's unit or the
/// intake unit in scope. Everything else answers NOT_FOUND like a missing dispute.
public struct DisputesService: Civicgrid_V1_Disputes.SimpleServiceProtocol {
  let store: StorePool
  let executor: CaseExecutor
  /// The time commands are stamped with; tests script it.
  let now: @Sendable () -> Instant

  public init(store: StorePool) {
    self.init(store: store, now: { Instant.now })
  }

  public init(store: StorePool, now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.executor = CaseExecutor(store: store)
    self.now = now
  }

  static let readers: Set<Role> = [.mediator, .gridWorker, .clerk, .handler, .supervisor, .auditor]

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Disputes/SubmitDispute": .roles([.clerk, .gridWorker, .mediator, .partner]),
    "civicgrid.v1.Disputes/GetDispute": .roles(readers),
    "civicgrid.v1.Disputes/ListDisputes": .roles(readers),
    "civicgrid.v1.Disputes/RecordReview": .roles([.mediator, .supervisor]),
    "civicgrid.v1.Disputes/ScheduleSession": .roles([.mediator, .handler]),
    "civicgrid.v1.Disputes/RecordSession": .roles([.mediator, .handler]),
    "civicgrid.v1.Disputes/RecordOutcome": .roles([.mediator, .handler]),
    "civicgrid.v1.Disputes/RecordFulfilment": .roles([.mediator, .gridWorker]),
    "civicgrid.v1.Disputes/CloseDispute": .roles([.mediator, .supervisor]),
    "civicgrid.v1.Disputes/GetAgenda": .roles([.mediator, .supervisor, .clerk, .auditor]),
    "civicgrid.v1.Disputes/ListDuty": .roles([.mediator, .gridWorker, .clerk, .supervisor, .auditor]),
    "civicgrid.v1.Disputes/SetDuty": .roles([.supervisor]),
    "civicgrid.v1.Disputes/GetDisputeReport": .roles([.mediator, .supervisor, .clerk, .admin, .auditor]),
    "civicgrid.v1.Disputes/GetLadder": .roles([.mediator, .supervisor, .clerk, .admin, .auditor]),
    "civicgrid.v1.Disputes/SetLadder": .roles([.admin]),
  ]

  static func party(_ principal: Principal) -> Party {
    .staff(StaffID(principal.login), unit: UnitID(principal.unitCode))
  }

  /// A dispute command: the executor's run for kind `dispute`, with the dispute's side rows
  /// written by `after` and the dispute as the answer.
  func command(
    _ disputeID: String,
    expectedVersion: Int64,
    action: String,
    access: @escaping @Sendable (CaseExecutor.Context) async throws -> Void,
    apply: @escaping @Sendable (CaseExecutor.Context, Int) async throws -> CaseChange,
    after: @escaping @Sendable (CaseExecutor.Context, CaseChange) async throws -> Void = { _, _ in }
  ) async throws -> Civicgrid_V1_Dispute {
    try await self.executor.run(
      caseID: disputeID,
      field: "dispute_id",
      expectedVersion: expectedVersion,
      kinds: [DisputeKind.dispute.name],
      noun: "dispute",
      at: self.now(),
      access: access,
      apply: apply,
      after: after,
      audit: { context, change in
        ("dispute/\(context.number)", "\(action): " + change.events.map { $0.kind.feedDescription.summary }.joined(separator: "; "))
      },
      map: { context, change in
        var record = context.record
        record.value = change.case
        record.updatedAt = Date()
        return try await Self.message(record, calendar: context.calendar, at: context.now, on: context.connection)
      }
    )
  }

  /// The dispute as it is in `record`, with its side rows read on `connection`.
  static func message(
    _ record: CaseRecord,
    calendar: WorkingCalendar,
    at now: Instant,
    timeline: [Civicgrid_V1_TimelineEntry] = [],
    on connection: StoreConnection
  ) async throws -> Civicgrid_V1_Dispute {
    let repository = DisputeRepository(connection)
    guard let details = try await repository.load(record.id) else { throw DomainError.notFound("dispute \(record.number)") }
    let ladder = try await repository.ladder(forUnitAt: details.record.unitPath)
    return try DisputeMapping.message(record, details, ladder: ladder, calendar: calendar, at: now, timeline: timeline)
  }

  // MARK: Access

  /// The centre's commands: the intake unit must be in the caller's scope.
  @Sendable static func intakeInScope(_ context: CaseExecutor.Context) async throws {
    guard context.record.intakeInScope else { throw DomainError.notFound("dispute \(context.number)") }
  }

  /// A route's commands: its unit, or the intake unit, in the caller's scope; a task that
  /// does not exist answers NOT_FOUND naming it.
  static func routeInScope(_ number: Int) -> @Sendable (CaseExecutor.Context) async throws -> Void {
    { context in
      let tasks = context.record.value.tasks
      guard tasks.indices.contains(number - 1) else { throw DomainError.notFound("task \(number) of dispute \(context.number)") }
      if context.record.intakeInScope { return }
      let path = try await UnitRepository(context.connection).idAndPath(code: tasks[number - 1].unit.rawValue)?.path
      guard let path, context.principal.scope.contains(path: path) else { throw DomainError.notFound("dispute \(context.number)") }
    }
  }

  /// A task number from a request: at least 1.
  static func task(_ value: Int32) throws(DomainError) -> Int {
    guard value >= 1 else { throw Require.invalid("task", "must be at least 1, got \(value)") }
    return Int(value)
  }
}
