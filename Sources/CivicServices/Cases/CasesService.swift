import CivicDomain
public import CivicProtos
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.Cases`: intake, acceptance, joint processing, queries and the event feed.
///
/// Every mutation is one transaction: lock the case row (`CaseRecord.load(lock:)`), apply the
/// domain command (which checks the expected version, the state and the data), write the case,
/// its changed tasks and clocks and its events (`CaseWriter`), then the audit row, last.
/// Missing and out-of-scope cases answer the same NOT_FOUND.
public struct CasesService: Civicgrid_V1_Cases.SimpleServiceProtocol {
  let store: StorePool

  public init(store: StorePool) { self.store = store }

  static let policy = CasePolicy.serviceApplication

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
    return try await self.mutate(request.caseID, request.expectedVersion, action: "accept", clerkOnly: true) { value, version, at, by in
      let change = try value.applying(
        dueBy.map { .acceptWithMissingMaterials(dueBy: $0) } ?? .accept, expectedVersion: version, policy: Self.policy, at: at, by: by
      )
      // On acceptance a promised item fans out as tasks (分流); an immediate one completes (即办).
      let next: CaseCommand = change.case.plan == nil ? .completeAtWindow(opinion: opinion) : .dispatch
      let more = try change.case.applying(next, expectedVersion: change.case.version, policy: Self.policy, at: at, by: by)
      return change.followed(by: more)
    }
  }

  public func refuseCase(request: Civicgrid_V1_RefuseCaseRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let reason = try Require.text("reason", request.reason)
    return try await self.mutate(request.caseID, request.expectedVersion, action: "refuse", clerkOnly: true) { value, version, at, by in
      try value.applying(.refuse(reason: reason), expectedVersion: version, policy: Self.policy, at: at, by: by)
    }
  }

  public func requestSupplement(request: Civicgrid_V1_CaseRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    try await self.mutate(request.caseID, request.expectedVersion, action: "requestSupplement", clerkOnly: true) { value, version, at, by in
      try value.applying(.requestSupplement, expectedVersion: version, policy: Self.policy, at: at, by: by)
    }
  }

  public func supplyMaterials(request: Civicgrid_V1_SupplyMaterialsRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    guard !request.materials.isEmpty else { throw Require.invalid("materials", "needs at least one material code") }
    for (index, code) in request.materials.enumerated() { _ = try Require.code("materials[\(index)]", code) }
    let provided = Set(request.materials)
    return try await self.mutate(request.caseID, request.expectedVersion, action: "supplyMaterials", clerkOnly: true) { value, version, at, by in
      let command: CaseCommand = value.state == .awaitingSupplement ? .supplement(provided: provided) : .supplyMissingMaterials(provided: provided)
      return try value.applying(command, expectedVersion: version, policy: Self.policy, at: at, by: by)
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
    return try await self.mutate(request.caseID, request.expectedVersion, action: "deliver", clerkOnly: true) { value, version, at, by in
      try value.applying(.deliver(method), expectedVersion: version, policy: Self.policy, at: at, by: by)
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
    let exists = try await self.store.query("SELECT 1 FROM units WHERE code = $1", [target]).rows.isEmpty == false
    guard exists else { throw Require.invalid("to_unit_code", "unit \(target) does not exist") }
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

  private func task(_ caseID: String, _ number: Int32, _ expected: Int64, _ command: TaskCommand) async throws -> Civicgrid_V1_Case {
    guard number >= 1 else { throw Require.invalid("task", "must be at least 1, got \(number)") }
    let isDecision = if case .decideExtension = command { true } else { false }
    return try await self.mutate(caseID, expected, action: "task \(number)", clerkOnly: false) { value, _, at, by in
      guard value.tasks.indices.contains(Int(number) - 1) else { throw DomainError.notFound("task \(number) of case \(value.id)") }
      return try value.applying(command, toTask: Int(number), expectedVersion: Int(expected), policy: Self.policy, at: at, by: by)
    } scopeCheck: { record, principal, connection in
      // A supervisor decides extensions of tasks whose unit is in their scope.
      guard isDecision else { return }
      let unit = record.value.tasks[Int(number) - 1].unit.rawValue
      let path = try await connection.query("SELECT path FROM units WHERE code = $1", [unit]).scalar(String.self)
      guard let path, principal.scope.contains(path: path) else { throw DomainError.notFound("task \(number) of case \(record.number)") }
    }
  }

  /// One case mutation: validate, lock, apply, write, audit, answer.
  func mutate(
    _ caseID: String,
    _ expectedVersion: Int64,
    action: String,
    clerkOnly: Bool,
    _ apply: @Sendable @escaping (Case, Int, Instant, Party) throws -> CaseChange,
    scopeCheck: @Sendable @escaping (CaseRecord, Principal, StoreConnection) async throws -> Void = { _, _, _ in }
  ) async throws -> Civicgrid_V1_Case {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(caseID)
    let version = try Require.version("expected_version", expectedVersion)
    return try await self.store.transaction { connection in
      var record = try await CaseRecord.load(id, scope: principal.scope, on: connection, lock: true)
      if clerkOnly, !record.intakeInScope { throw DomainError.notFound("case \(record.number)") }
      try await scopeCheck(record, principal, connection)
      let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
      let now = Instant.now
      let change = try apply(record.value, version, now, Self.party(principal))
      try await CaseWriter.write(id: id, old: record.value, new: change, unitPath: record.unitPath, calendar: calendar, on: connection)
      try await AuditLog.append(
        on: connection, object: "case/\(record.number)",
        summary: "\(action): " + change.events.map { $0.kind.feedDescription.summary }.joined(separator: "; ")
      )
      record.value = change.case
      record.updatedAt = Date()
      return try CaseMapping.message(record, calendar: calendar, at: now)
    }
  }
}
