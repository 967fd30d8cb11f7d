import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.Cases`: intake, acceptance, joint processing, queries and the event feed.
///
/// Every mutation runs through `CaseExecutor`: one transaction that locks the case row, applies
/// the domain command (which checks the expected version, the state and the data), writes the
/// case, its changed tasks and clocks and its events (`CaseRepository`), then the audit row, last.
/// Missing and out-of-scope cases answer the same NOT_FOUND. Case commands are the service
/// application's; task commands drive a task of any kind under its registered policy.
public struct CasesService: Civicgrid_V1_Cases.SimpleServiceProtocol {
  let store: StorePool
  let executor: CaseExecutor
  /// The instance's shared LISTEN connection for WatchEvents; nil: one per subscriber.
  let feeds: FeedListener?
  /// The commands' clock: the wall clock, or an earlier one for `civicgridd seed-demo --history`.
  let now: @Sendable () -> Instant

  public init(store: StorePool, feeds: FeedListener? = nil) {
    self.init(store: store, feeds: feeds, now: { .now })
  }

  init(store: StorePool, feeds: FeedListener? = nil, now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.executor = CaseExecutor(store: store)
    self.feeds = feeds
    self.now = now
  }

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Cases/SubmitApplication": .roles([.clerk, .partner]),
    "civicgrid.v1.Cases/AcceptCase": .roles([.clerk]),
    "civicgrid.v1.Cases/RefuseCase": .roles([.clerk]),
    "civicgrid.v1.Cases/RequestSupplement": .roles([.clerk]),
    "civicgrid.v1.Cases/SupplyMaterials": .roles([.clerk, .partner]),
    "civicgrid.v1.Cases/DeliverResult": .roles([.clerk]),
    "civicgrid.v1.Cases/ClaimTask": .roles([.handler]),
    "civicgrid.v1.Cases/ApproveTask": .roles([.handler]),
    "civicgrid.v1.Cases/DenyTask": .roles([.handler]),
    "civicgrid.v1.Cases/ReturnTask": .roles([.handler]),
    "civicgrid.v1.Cases/TransferTask": .roles([.handler]),
    "civicgrid.v1.Cases/RequestExtension": .roles([.handler]),
    "civicgrid.v1.Cases/DecideExtension": .roles([.supervisor]),
    "civicgrid.v1.Cases/GetCase": .authenticated,
    "civicgrid.v1.Cases/ListCases": .authenticated,
    "civicgrid.v1.Cases/ListTasks": .authenticated,
    "civicgrid.v1.Cases/WatchEvents": .roles([.partner, .auditor, .admin, .supervisor]),
  ]

  static func party(_ principal: Principal) -> Party {
    .staff(StaffID(principal.login), unit: UnitID(principal.unitCode))
  }

  // MARK: Case commands

  public func acceptCase(request: Civicgrid_V1_AcceptCaseRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let dueBy = request.missingMaterialsDueBy.isEmpty ? nil : try Require.date("missing_materials_due_by", request.missingMaterialsDueBy)
    let opinion = request.opinion.isEmpty ? "completed at the window" : try Require.text("opinion", request.opinion)
    return try await self.caseCommand(request.caseID, request.expectedVersion, action: "accept") { value, version, at, by in
      let change = try value.applying(dueBy.map { .acceptWithMissingMaterials(dueBy: $0) } ?? .accept, expectedVersion: version, at: at, by: by)
      // On acceptance a promised item fans out as tasks (分流); an immediate one completes (即办).
      let next: CaseCommand = change.case.plan == nil ? .completeAtWindow(opinion: opinion) : .dispatch
      return change.followed(by: try change.case.applying(next, expectedVersion: change.case.version, at: at, by: by))
    }
  }

  public func refuseCase(request: Civicgrid_V1_RefuseCaseRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let reason = try Require.text("reason", request.reason)
    return try await self.caseCommand(request.caseID, request.expectedVersion, action: "refuse") { value, version, at, by in
      try value.applying(.refuse(reason: reason), expectedVersion: version, at: at, by: by)
    }
  }

  public func requestSupplement(request: Civicgrid_V1_CaseRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    try await self.caseCommand(request.caseID, request.expectedVersion, action: "requestSupplement") { value, version, at, by in
      try value.applying(.requestSupplement, expectedVersion: version, at: at, by: by)
    }
  }

  public func supplyMaterials(request: Civicgrid_V1_SupplyMaterialsRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    guard !request.materials.isEmpty else { throw Require.invalid("materials", "needs at least one material code") }
    for (index, code) in request.materials.enumerated() { _ = try Require.code("materials[\(index)]", code) }
    let provided = Set(request.materials)
    return try await self.caseCommand(request.caseID, request.expectedVersion, action: "supplyMaterials") { value, version, at, by in
      let command: CaseCommand = value.state == .awaitingSupplement ? .supplement(provided: provided) : .supplyMissingMaterials(provided: provided)
      return try value.applying(command, expectedVersion: version, at: at, by: by)
    }
  }

  public func deliverResult(request: Civicgrid_V1_DeliverResultRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let method: DeliveryMethod
    switch request.method {
    case .pickup: method = .pickup
    case .mail: method = .mail
    case .electronic: method = .electronic
    default: throw Require.invalid("method", "must be PICKUP, MAIL or ELECTRONIC")
    }
    return try await self.caseCommand(request.caseID, request.expectedVersion, action: "deliver") { value, version, at, by in
      try value.applying(.deliver(method), expectedVersion: version, at: at, by: by)
    }
  }

  // MARK: Task commands

  public func claimTask(request: Civicgrid_V1_TaskRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    try await self.task(request.caseID, request.task, request.expectedVersion, .claim)
  }

  public func approveTask(request: Civicgrid_V1_DecideTaskRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let opinion = try Require.text("opinion", request.opinion)
    return try await self.task(request.caseID, request.task, request.expectedVersion, .approve(opinion: opinion))
  }

  public func denyTask(request: Civicgrid_V1_DecideTaskRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let opinion = try Require.text("opinion", request.opinion)
    return try await self.task(request.caseID, request.task, request.expectedVersion, .deny(opinion: opinion))
  }

  public func returnTask(request: Civicgrid_V1_ReturnTaskRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let reason = try Require.text("reason", request.reason)
    return try await self.task(request.caseID, request.task, request.expectedVersion, .returnToPreviousStage(reason: reason))
  }

  public func transferTask(request: Civicgrid_V1_TransferTaskRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let target = try Require.code("to_unit_code", request.toUnitCode)
    let reason = try Require.text("reason", request.reason)
    let unit = try await self.store.withConnection { connection in try await UnitRepository(connection).idAndPath(code: target) }
    guard unit != nil else { throw Require.invalid("to_unit_code", "unit \(target) does not exist") }
    return try await self.task(request.caseID, request.task, request.expectedVersion, .transfer(to: UnitID(target), reason: reason))
  }

  public func requestExtension(request: Civicgrid_V1_RequestExtensionRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    guard (1...30).contains(request.workingDays) else { throw Require.invalid("working_days", "must be 1–30, got \(request.workingDays)") }
    let reason = try Require.text("reason", request.reason)
    return try await self.task(
      request.caseID, request.task, request.expectedVersion, .requestExtension(.workingDays(Int(request.workingDays)), reason: reason)
    )
  }

  public func decideExtension(request: Civicgrid_V1_DecideExtensionRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    // A refusal needs its reason; an approval may carry a note.
    let note = request.approve && request.note.isEmpty ? "" : try Require.text("note", request.note)
    return try await self.task(request.caseID, request.task, request.expectedVersion, .decideExtension(approve: request.approve, note: note))
  }

  /// A task command on a case of any kind, under the policy its kind registered.
  private func task(_ caseID: String, _ number: Int32, _ expected: Int64, _ command: TaskCommand) async throws -> Civicgrid_V1_Case {
    guard number >= 1 else { throw Require.invalid("task", "must be at least 1, got \(number)") }
    let isDecision = if case .decideExtension = command { true } else { false }
    return try await self.executor.run(
      caseID: caseID,
      expectedVersion: expected,
      at: self.now(),
      access: { context in
        // A supervisor decides extensions of tasks whose unit is in their scope.
        guard isDecision, context.record.value.tasks.indices.contains(Int(number) - 1) else { return }
        let unit = context.record.value.tasks[Int(number) - 1].unit.rawValue
        let path = try await UnitRepository(context.connection).idAndPath(code: unit)?.path
        guard let path, context.principal.scope.contains(path: path) else {
          throw DomainError.notFound("task \(number) of case \(context.number)")
        }
      },
      apply: { context, _ in
        let value = context.record.value
        guard value.tasks.indices.contains(Int(number) - 1) else { throw DomainError.notFound("task \(number) of case \(value.id)") }
        return try value.applying(
          command, toTask: Int(number), expectedVersion: Int(expected), policy: context.kind.policy, at: context.now, by: context.party
        )
      },
      audit: Self.audit(action: "task \(number)"),
      map: Self.answer
    )
  }

  /// An application command from a clerk of the intake unit's scope.
  private func caseCommand(
    _ caseID: String,
    _ expected: Int64,
    action: String,
    _ apply: @escaping @Sendable (Case, Int, Instant, Party) throws -> CaseChange
  ) async throws -> Civicgrid_V1_Case {
    try await self.executor.run(
      caseID: caseID,
      expectedVersion: expected,
      at: self.now(),
      access: { context in
        if !context.record.intakeInScope { throw DomainError.notFound("case \(context.number)") }
      },
      apply: { context, version in try apply(context.record.value, version, context.now, context.party) },
      audit: Self.audit(action: action),
      map: Self.answer
    )
  }

  /// The audit line of a case command: the action and every event's summary.
  static func audit(action: String) -> @Sendable (CaseExecutor.Context, CaseChange) -> CaseExecutor.AuditEntry? {
    { context, change in
      ("case/\(context.number)", "\(action): " + change.events.map { $0.kind.feedDescription.summary }.joined(separator: "; "))
    }
  }

  /// The case as the command left it.
  @Sendable static func answer(_ context: CaseExecutor.Context, _ change: CaseChange) throws -> Civicgrid_V1_Case {
    var record = context.record
    record.value = change.case
    record.updatedAt = Date()
    return try CaseMapping.message(record, calendar: context.calendar, at: context.now)
  }
}
