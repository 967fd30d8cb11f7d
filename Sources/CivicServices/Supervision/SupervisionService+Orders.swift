import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// Orders (督办单) and inspection findings: order-like cases (`OrderKind`) with a row in
/// `supervision_orders`. Issuing writes the case, its order row and one alert; every command
/// runs through `CaseExecutor` and adds its alert.
extension SupervisionService {
  // MARK: Issue

  /// Issues an order. With an idempotency key (optional; the caller's own, shared with its
  /// SubmitApplication keys in `case_idempotency_keys`): the same request again answers the
  /// order it made, as it is now; a different request under the key is FAILED_PRECONDITION; a
  /// duplicate racing the first waits for it to commit (a transaction-scoped advisory lock on
  /// account and key), so concurrent duplicates make one order and all answer it.
  public func issueOrder(request: Civicgrid_V1_IssueOrderRequest, context: ServerContext) async throws -> Civicgrid_V1_Order {
    let principal = try RequestContext.principal()
    let title = try Require.text("title", request.title, max: 200)
    let requirement = try Require.text("requirement", request.requirement, max: 4000)
    guard (1...30).contains(request.replyWorkingDays) else {
      throw Require.invalid("reply_working_days", "must be 1–30, got \(request.replyWorkingDays)")
    }
    let level: OrderLevel
    switch request.level {
    case .unspecified, .ordinary: level = .ordinary
    case .listed: level = .listed
    default: throw Require.invalid("level", "must be ORDINARY or LISTED")
    }
    let subjectID = request.subjectCaseID.isEmpty ? nil : try CaseNumber.parse(request.subjectCaseID, field: "subject_case_id")
    guard request.subjectTask >= 0 else { throw Require.invalid("subject_task", "must not be negative, got \(request.subjectTask)") }
    guard subjectID != nil || request.subjectTask == 0 else { throw Require.invalid("subject_task", "needs subject_case_id") }
    if request.unitCode.isEmpty, subjectID == nil { throw Require.invalid("unit_code", "must not be empty without subject_case_id") }
    if !request.unitCode.isEmpty { _ = try Require.code("unit_code", request.unitCode) }
    var unkeyed = request
    unkeyed.idempotencyKey = ""
    let key = try CaseIdempotencyKey(request.idempotencyKey, accountID: principal.accountID, request: unkeyed, method: "IssueOrder")
    let now = self.now()
    return try await self.store.intakeTransaction(by: principal, at: now) { connection in
      if let key {
        // A duplicate waits for the first to commit, then answers the order it made.
        try await key.lock(on: connection, wait: true)
        if let existing = try await key.recordedCase(on: connection) {
          return try await Self.message(existing, scope: .everything, at: now, on: connection)
        }
      }
      var unitCode = request.unitCode
      if let subjectID {
        let subject = try await CaseRecord.load(subjectID, scope: principal.scope, on: connection, lock: false)
        if request.subjectTask > 0 {
          guard subject.value.tasks.indices.contains(Int(request.subjectTask) - 1) else {
            throw Require.invalid("subject_task", "case \(subject.number) has no task \(request.subjectTask)")
          }
          if unitCode.isEmpty { unitCode = subject.value.tasks[Int(request.subjectTask) - 1].unit.rawValue }
        } else if unitCode.isEmpty {
          unitCode = subject.unitCode
        }
      }
      let target = try await Self.unit(unitCode, field: "unit_code", scope: principal.scope, on: connection)
      let (id, record, order) = try await Self.openOrder(
        policy: .supervisionOrder,
        item: ItemRef(code: "SUPERVISION-ORDER", version: 1),
        title: title,
        requirement: requirement,
        level: level,
        unit: (UnitID(unitCode), target.id, target.path),
        replyDays: Int(request.replyWorkingDays),
        subject: subjectID.map { ($0, Int(request.subjectTask)) },
        inspection: nil,
        principal: principal,
        at: now,
        on: connection
      )
      if let subjectID {
        try await OrderRepository(connection).answerProposal(caseID: subjectID, task: Int(request.subjectTask), orderID: id)
      }
      try await key?.record(caseID: id, on: connection)
      try await AuditLog.append(
        on: connection,
        object: "order/\(record.number)",
        summary: "issued (\(level.rawValue)) to \(unitCode): \(title)"
      )
      let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
      return try Self.message(record, order, calendar: calendar, at: now)
    }
  }

  /// Writes a new order-like case: the case row, its first task, its order row and one alert.
  static func openOrder(
    policy: CasePolicy,
    item: ItemRef,
    title: String,
    requirement: String,
    level: OrderLevel,
    unit: (code: UnitID, id: Int64, path: String),
    replyDays: Int,
    subject: (Int64, Int)?,
    inspection: Int64?,
    principal: Principal,
    at now: Instant,
    on connection: StoreConnection
  ) async throws -> (Int64, CaseRecord, OrderRecord) {
    let cases = CaseRepository(connection)
    let orders = OrderRepository(connection)
    let id = try await cases.nextID()
    let jurisdiction = CalendarStore.defaultJurisdiction
    let calendar = try await CalendarStore.require(jurisdiction, on: connection).calendar
    let change = try Case.issueOrder(
      policy: policy,
      id: CaseID(CaseNumber.format(id)),
      item: item,
      title: title,
      to: unit.code,
      replyWithin: .workingDays(replyDays),
      at: now,
      by: Self.party(principal)
    )
    try await cases.insert(
      NewCase(id: id, change: change, unitID: principal.unitID, unitPath: principal.unitPath, jurisdiction: jurisdiction, at: now),
      calendar: calendar
    )
    try await orders.insert(
      NewOrder(
        caseID: id, level: level, title: title, requirement: requirement, subject: subject.map { (caseID: $0.0, task: $0.1) },
        replyWorkingDays: replyDays, inspectionID: inspection, issuedBy: Self.party(principal).description, issuedAt: now
      )
    )
    let what = policy.kind == CasePolicy.inspectionFinding.kind ? "rectification" : "\(level.rawValue) order"
    try await AlertWriter.append(
      [
        PendingAlert(
          kind: .order,
          caseID: id,
          caseKind: change.case.kind,
          unitID: unit.id,
          unitPath: unit.path,
          orderID: id,
          summary: "\(what) \(CaseNumber.format(id)) issued to \(unit.code): \(title); reply within \(replyDays) working days",
          at: now
        )
      ],
      on: connection
    )
    let record = try await CaseRecord.load(id, scope: .everything, on: connection, lock: false)
    guard let order = try await orders.load(id, lock: false) else { throw DomainError.notFound("order \(record.number)") }
    return (id, record, order)
  }

  // MARK: Commands

  public func acknowledgeOrder(request: Civicgrid_V1_OrderRequest, context: ServerContext) async throws -> Civicgrid_V1_Order {
    try await self.command(request.orderID, request.expectedVersion, name: "acknowledged", by: .receiver) { _ in .acknowledge }
  }

  public func replyOrder(request: Civicgrid_V1_ReplyOrderRequest, context: ServerContext) async throws -> Civicgrid_V1_Order {
    let reply = try Require.text("reply", request.reply, max: 4000)
    return try await self.command(request.orderID, request.expectedVersion, name: "replied", by: .receiver) { _ in .reply(text: reply) }
  }

  public func verifyOrder(request: Civicgrid_V1_VerifyOrderRequest, context: ServerContext) async throws -> Civicgrid_V1_Order {
    if request.accepted {
      let note = request.note.isEmpty ? "" : try Require.text("note", request.note)
      return try await self.command(request.orderID, request.expectedVersion, name: "verified and closed", by: .issuer) { _ in
        .verify(note: note)
      }
    }
    let note = try Require.text("note", request.note)
    return try await self.escalate(request.orderID, request.expectedVersion, reason: "reply rejected: \(note)", needsOverdue: false)
  }

  public func escalateOrder(request: Civicgrid_V1_EscalateOrderRequest, context: ServerContext) async throws -> Civicgrid_V1_Order {
    let reason = try Require.text("reason", request.reason)
    return try await self.escalate(request.orderID, request.expectedVersion, reason: reason, needsOverdue: true)
  }

  /// Escalation: ordinary → listed at the same unit; listed → the unit one level up; a fresh reply limit.
  /// An unanswered order escalates only once its reply is overdue; a rejected reply escalates at once.
  private func escalate(_ orderID: String, _ expected: Int64, reason: String, needsOverdue: Bool) async throws -> Civicgrid_V1_Order {
    try await self.command(orderID, expected, name: "escalated", by: .issuer, reason: reason) { context in
      let value = context.record.value
      guard let task = value.orderTask else { throw DomainError.precondition("order \(context.number)", "has no task") }
      if needsOverdue {
        guard [CaseState.issued, .acknowledged].contains(value.state) else {
          throw DomainError.illegalState(
            subject: "order \(context.number)",
            state: value.state.rawValue,
            action: "escalate",
            allowed: ["issued", "acknowledged"]
          )
        }
        let level = try task.clock.warning(at: context.now, in: context.calendar, policy: value.warningPolicy).level
        guard level == .overdue else {
          throw DomainError.precondition(
            "order \(context.number)",
            "its reply is not overdue (\(level)); escalate needs an overdue reply or a rejected one"
          )
        }
      }
      let orders = OrderRepository(context.connection)
      guard let order = try await orders.load(context.record.id, lock: true) else { throw DomainError.notFound("order \(context.number)") }
      let next = try order.level.escalation(unit: task.unit, parent: try await orders.escalationUnit(above: task.unit))
      return .escalate(reason: reason, to: next.unit, replyWithin: .workingDays(order.replyWorkingDays))
    }
  }

  /// One order command through the case executor: the caller's side of the order, the command
  /// `decide` chooses, then the order row (on escalation), one alert and the audit row.
  private func command(
    _ orderID: String,
    _ expectedVersion: Int64,
    name: String,
    by side: OrderSide,
    reason: String? = nil,
    _ decide: @escaping @Sendable (CaseExecutor.Context) async throws -> OrderCommand
  ) async throws -> Civicgrid_V1_Order {
    try await CaseExecutor(store: self.store).run(
      caseID: orderID,
      field: "order_id",
      expectedVersion: expectedVersion,
      kinds: Self.orderKinds,
      noun: "order",
      at: self.now(),
      access: { context in try await Self.requireSide(side, of: context.record, principal: context.principal, on: context.connection) },
      apply: { context, version in
        guard let kind = OrderKind.named(context.kind.name) else { throw DomainError.notFound("order \(context.number)") }
        let command = try await decide(context)
        return try context.record.value.applying(command, of: kind, expectedVersion: version, at: context.now, by: context.party)
      },
      after: { context, change in
        if Self.escalated(change) { try await OrderRepository(context.connection).recordEscalation(context.record.id, to: .listed) }
        let unit = change.case.orderTask?.unit.rawValue ?? ""
        let target = try await Self.unit(unit, field: "unit", scope: .everything, on: context.connection)
        try await AlertWriter.append(
          [
            PendingAlert(
              kind: .order, caseID: context.record.id, caseKind: change.case.kind, unitID: target.id, unitPath: target.path,
              orderID: context.record.id, summary: Self.summary(context.number, name, change, reason: reason), at: context.now
            )
          ],
          on: context.connection
        )
      },
      audit: { context, change in ("order/\(context.number)", Self.summary(context.number, name, change, reason: reason)) },
      map: { context, change in
        guard let order = try await OrderRepository(context.connection).load(context.record.id, lock: false) else {
          throw DomainError.notFound("order \(context.number)")
        }
        var record = context.record
        record.value = change.case
        return try Self.message(record, order, calendar: context.calendar, at: context.now)
      }
    )
  }

  static let orderKinds: Set<String> = [OrderKind.supervisionOrder.name, OrderKind.inspectionFinding.name]

  /// Whether `change` escalated its order: an escalation is the only command that opens a task.
  static func escalated(_ change: CaseChange) -> Bool {
    change.events.contains { if case .taskCreated = $0.kind { true } else { false } }
  }

  /// The alert and audit line of an order command; an escalation names where it went and why
  /// (every escalation leaves the order listed).
  static func summary(_ number: String, _ name: String, _ change: CaseChange, reason: String?) -> String {
    var summary = "order \(number) \(name)"
    guard Self.escalated(change), let unit = change.case.orderTask?.unit else { return summary }
    summary += " to \(OrderLevel.listed.rawValue) at \(unit)"
    if let reason { summary += ": \(reason)" }
    return summary
  }
}
