import CivicDomain
public import CivicProtos
import CivicStore
import Foundation
public import GRPCCore

/// What only orders have, beside their case (table `supervision_orders`).
struct OrderRow: Sendable {
  var level: OrderLevel
  var title: String
  var requirement: String
  var subjectCaseID: Int64?
  var subjectTask: Int
  var replyWorkingDays: Int
  var escalations: Int
  var inspectionID: Int64
  var issuedBy: String
  var issuedAt: Date

  static let columns = """
    level, title, requirement, subject_case_id, subject_task, reply_working_days, escalations, coalesce(inspection_id, 0),
    issued_by, issued_at
    """

  init(row: Row, from first: Int = 0) throws {
    self.level = OrderLevel(rawValue: try row.decode(String.self, at: first)) ?? .ordinary
    self.title = try row.decode(String.self, at: first + 1)
    self.requirement = try row.decode(String.self, at: first + 2)
    self.subjectCaseID = try row.decode(Int64?.self, at: first + 3)
    self.subjectTask = try row.decode(Int.self, at: first + 4)
    self.replyWorkingDays = try row.decode(Int.self, at: first + 5)
    self.escalations = try row.decode(Int.self, at: first + 6)
    self.inspectionID = try row.decode(Int64.self, at: first + 7)
    self.issuedBy = try row.decode(String.self, at: first + 8)
    self.issuedAt = try row.decode(Date.self, at: first + 9)
  }

  static func load(_ id: Int64, on connection: StoreConnection, lock: Bool) async throws -> OrderRow {
    let rows = try await connection.query(
      "SELECT \(Self.columns) FROM supervision_orders WHERE case_id = $1" + (lock ? " FOR UPDATE" : ""),
      [id]
    ).rows
    guard let row = rows.first else { throw DomainError.notFound("order \(CaseNumber.format(id))") }
    return try OrderRow(row: row)
  }
}

extension SupervisionService {
  static func message(_ record: CaseRecord, _ order: OrderRow, calendar: WorkingCalendar, at now: Instant) throws -> Civicgrid_V1_Order {
    let value = record.value
    var m = Civicgrid_V1_Order()
    m.id = record.number
    m.kind = value.kind
    m.state = value.state.rawValue
    m.level = order.level == .listed ? .listed : .ordinary
    m.title = order.title
    m.requirement = order.requirement
    m.subjectCaseID = order.subjectCaseID.map(CaseNumber.format) ?? ""
    m.subjectTask = Int32(order.subjectTask)
    m.replyWorkingDays = Int32(order.replyWorkingDays)
    m.escalations = Int32(order.escalations)
    m.issuedBy = order.issuedBy
    m.issuedAt = order.issuedAt.timestamp
    m.version = Int64(value.version)
    m.inspectionID = order.inspectionID
    if let task = value.orderTask {
      m.unitCode = task.unit.rawValue
      m.taskVersion = Int64(task.version)
      if task.state.isOpen {
        if let due = try task.clock.deadline(in: calendar) { m.replyDue = due.timestamp }
        m.warningLevel = Self.wire(try task.clock.warning(at: now, in: calendar, policy: value.warningPolicy).level)
      }
    }
    m.reply = value.tasks.last(where: { $0.opinion != nil })?.opinion ?? ""
    return m
  }

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
    return try await self.store.transaction { connection in
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
        try await connection.execute(
          "UPDATE supervision_order_proposals SET order_id = $3 WHERE case_id = $1 AND task = $2 AND order_id IS NULL",
          [subjectID, Int(request.subjectTask), id]
        )
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
  ) async throws -> (Int64, CaseRecord, OrderRow) {
    let id = try await CaseWriter.nextID(on: connection)
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
    let value = change.case
    try await CaseWriter.insert(
      id: id,
      change,
      unitID: principal.unitID,
      unitPath: principal.unitPath,
      jurisdiction: jurisdiction,
      calendar: calendar,
      at: now,
      on: connection
    )
    try await connection.execute(
      """
      INSERT INTO supervision_orders (case_id, level, issued_level, title, requirement, subject_case_id, subject_task,
        reply_working_days, inspection_id, issued_by, issued_at)
      VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10::bigint))
      """,
      [
        id, level.rawValue, title, requirement, subject?.0, subject?.1 ?? 0, replyDays, inspection,
        Self.party(principal).description, now.secondsSinceEpoch,
      ]
    )
    let what = policy.kind == CasePolicy.inspectionFinding.kind ? "rectification" : "\(level.rawValue) order"
    try await AlertWriter.append(
      [
        PendingAlert(
          kind: .order,
          caseID: id,
          caseKind: value.kind,
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
    return (id, record, try await OrderRow.load(id, on: connection, lock: false))
  }

  // MARK: Commands

  public func acknowledgeOrder(request: Civicgrid_V1_OrderRequest, context: ServerContext) async throws -> Civicgrid_V1_Order {
    try await self.command(request.orderID, request.expectedVersion, name: "acknowledged", by: .receiver) { _, _, _ in .acknowledge }
  }

  public func replyOrder(request: Civicgrid_V1_ReplyOrderRequest, context: ServerContext) async throws -> Civicgrid_V1_Order {
    let reply = try Require.text("reply", request.reply, max: 4000)
    return try await self.command(request.orderID, request.expectedVersion, name: "replied", by: .receiver) { _, _, _ in
      .reply(text: reply)
    }
  }

  public func verifyOrder(request: Civicgrid_V1_VerifyOrderRequest, context: ServerContext) async throws -> Civicgrid_V1_Order {
    if request.accepted {
      let note = request.note.isEmpty ? "" : try Require.text("note", request.note)
      return try await self.command(request.orderID, request.expectedVersion, name: "verified and closed", by: .issuer) { _, _, _ in
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
    try await self.command(orderID, expected, name: "escalated", by: .issuer) { record, order, context in
      guard let task = record.value.orderTask else { throw DomainError.precondition("order \(record.number)", "has no task") }
      if needsOverdue {
        guard [CaseState.issued, .acknowledged].contains(record.value.state) else {
          throw DomainError.illegalState(
            subject: "order \(record.number)",
            state: record.value.state.rawValue,
            action: "escalate",
            allowed: ["issued", "acknowledged"]
          )
        }
        let level = try task.clock.warning(at: context.now, in: context.calendar, policy: record.value.warningPolicy).level
        guard level == .overdue else {
          throw DomainError.precondition(
            "order \(record.number)",
            "its reply is not overdue (\(level)); escalate needs an overdue reply or a rejected one"
          )
        }
      }
      let parent = try await context.connection.query(
        "SELECT p.code FROM units u JOIN units p ON p.id = u.parent_id WHERE u.code = $1",
        [task.unit.rawValue]
      ).scalar(String.self)
      let next = try order.level.escalation(unit: task.unit, parent: parent.map { UnitID($0) })
      context.escalation = next
      return .escalate(reason: reason, to: next.unit, replyWithin: .workingDays(order.replyWorkingDays))
    }
  }

  final class CommandContext: @unchecked Sendable {
    let connection: StoreConnection
    let calendar: WorkingCalendar
    let now: Instant
    var escalation: (level: OrderLevel, unit: UnitID)?
    init(connection: StoreConnection, calendar: WorkingCalendar, now: Instant) {
      self.connection = connection
      self.calendar = calendar
      self.now = now
    }
  }

  /// Which side of an order may give a command. Separation of duties: the unit that receives
  /// an order answers it (acknowledge, reply) and can never close or escalate it; that is the
  /// issuer's unit's, or a unit above it.
  enum OrderSide {
    case receiver
    case issuer
  }

  /// Refuses a caller on the wrong side of the order. The order's case is filed under the
  /// issuer's unit (`record.unitPath`); its task names the receiving unit.
  static func requireSide(_ side: OrderSide, of record: CaseRecord, principal: Principal, on connection: StoreConnection) async throws {
    guard let receiver = record.value.orderTask?.unit.rawValue else { return }
    let receiverPath = try await Self.unit(receiver, field: "order_id", scope: .everything, on: connection).path
    // An order escalated up to its issuer's own unit is answered and closed there.
    let callerIsReceiver = receiverPath != record.unitPath && principal.unitPath.hasPrefix(receiverPath)
    switch side {
    case .receiver:
      guard principal.scope.contains(path: receiverPath) else {
        throw RPCError(code: .permissionDenied, message: "order \(record.number) is answered by \(receiver) or a unit above it")
      }
    case .issuer:
      guard principal.scope.contains(path: record.unitPath), !callerIsReceiver else {
        throw RPCError(
          code: .permissionDenied,
          message: "order \(record.number) is verified and escalated by its issuer's unit or one above it, never by \(receiver), which received it"
        )
      }
    }
  }

  /// One order command: lock, decide, apply, write the case, the order row and an alert, audit.
  private func command(
    _ orderID: String,
    _ expectedVersion: Int64,
    name: String,
    by side: OrderSide,
    _ decide: @Sendable (CaseRecord, OrderRow, CommandContext) async throws -> OrderCommand
  ) async throws -> Civicgrid_V1_Order {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(orderID, field: "order_id")
    let version = try Require.version("expected_version", expectedVersion)
    let now = self.now()
    return try await self.store.transaction { connection in
      var record = try await CaseRecord.load(id, scope: principal.scope, on: connection, lock: true)
      guard CasePolicy.orderLike(record.value.kind) != nil else { throw DomainError.notFound("order \(record.number)") }
      try await Self.requireSide(side, of: record, principal: principal, on: connection)
      var order = try await OrderRow.load(id, on: connection, lock: true)
      let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
      let context = CommandContext(connection: connection, calendar: calendar, now: now)
      let command = try await decide(record, order, context)
      let change = try record.value.applying(command, expectedVersion: version, at: now, by: Self.party(principal))
      try await CaseWriter.write(id: id, old: record.value, new: change, unitPath: record.unitPath, calendar: calendar, on: connection)
      var summary = "order \(record.number) \(name)"
      if let escalation = context.escalation {
        order.level = escalation.level
        order.escalations += 1
        try await connection.execute(
          "UPDATE supervision_orders SET level = $2, escalations = escalations + 1 WHERE case_id = $1",
          [id, escalation.level.rawValue]
        )
        summary += " to \(escalation.level.rawValue) at \(escalation.unit)"
      }
      if case .escalate(let reason, _, _) = command { summary += ": \(reason)" }
      let unit = change.case.orderTask?.unit.rawValue ?? ""
      let target = try await Self.unit(unit, field: "unit", scope: .everything, on: connection)
      try await AlertWriter.append(
        [
          PendingAlert(
            kind: .order,
            caseID: id,
            caseKind: change.case.kind,
            unitID: target.id,
            unitPath: target.path,
            orderID: id,
            summary: summary,
            at: now
          )
        ],
        on: connection
      )
      try await AuditLog.append(on: connection, object: "order/\(record.number)", summary: summary)
      record.value = change.case
      return try Self.message(record, order, calendar: calendar, at: now)
    }
  }

  // MARK: Queries

  public func getOrder(request: Civicgrid_V1_GetOrderRequest, context: ServerContext) async throws -> Civicgrid_V1_Order {
    let principal = try RequestContext.principal()
    let id = try CaseNumber.parse(request.orderID, field: "order_id")
    let now = self.now()
    return try await self.store.transaction(isolation: .repeatableRead) { connection in
      try await Self.message(id, scope: principal.scope, at: now, on: connection)
    }
  }

  /// An order as the wire shows it, if it is one and within `scope` (NOT_FOUND otherwise).
  static func message(_ id: Int64, scope: UnitScope, at now: Instant, on connection: StoreConnection) async throws -> Civicgrid_V1_Order {
    let record = try await CaseRecord.load(id, scope: scope, on: connection, lock: false)
    guard CasePolicy.orderLike(record.value.kind) != nil else { throw DomainError.notFound("order \(record.number)") }
    let order = try await OrderRow.load(id, on: connection, lock: false)
    let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
    return try Self.message(record, order, calendar: calendar, at: now)
  }

  public func listOrders(request: Civicgrid_V1_ListOrdersRequest, context: ServerContext) async throws -> Civicgrid_V1_ListOrdersResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    guard size <= 200 else { throw Require.invalid("page_size", "must be 1–200, got \(size)") }
    let after = try Require.pageToken(request.pageToken) ?? Int64.max
    let kind = request.kind.isEmpty ? CasePolicy.supervisionOrder.kind : request.kind
    guard CasePolicy.orderLike(kind) != nil else { throw Require.invalid("kind", "must be supervisionOrder or inspectionFinding") }
    for (index, state) in request.states.enumerated()
    where ![CaseState.issued, .acknowledged, .replied, .closed].contains(CaseState(state)) {
      throw Require.invalid("states[\(index)]", "must be issued, acknowledged, replied or closed, got \"\(state.prefix(20))\"")
    }
    let level: String
    switch request.level {
    case .unspecified: level = ""
    case .ordinary: level = "ordinary"
    case .listed: level = "listed"
    default: throw Require.invalid("level", "must be ORDINARY or LISTED")
    }
    let now = self.now()
    return try await self.store.transaction(isolation: .repeatableRead) { connection in
      var scope = principal.scope
      if !request.unitCode.isEmpty {
        let unit = try await Self.unit(
          try Require.code("unit_code", request.unitCode),
          field: "unit_code",
          scope: principal.scope,
          on: connection
        )
        scope = .subtree(unit.path)
      }
      let range = scope.sqlRange
      // Orders whose issuing unit or current unit (the latest task's) is in range, newest first.
      let ids = try await connection.query(
        """
        SELECT c.id FROM cases c JOIN units u ON u.id = c.unit_id JOIN supervision_orders so ON so.case_id = c.id
        WHERE c.kind = $3 AND c.id < $4 AND ($5 = '' OR c.state = ANY(string_to_array($5, ','))) AND ($6 = '' OR so.level = $6)
          AND (u.path >= $1 AND u.path < $2 OR EXISTS (
            SELECT 1 FROM case_tasks t JOIN units tu ON tu.id = t.unit_id
            WHERE t.case_id = c.id AND t.number = (SELECT max(number) FROM case_tasks WHERE case_id = c.id)
              AND tu.path >= $1 AND tu.path < $2))
        ORDER BY c.id DESC LIMIT $7
        """,
        [range.lower, range.upper, kind, after, request.states.joined(separator: ","), level, size + 1]
      ).rows.map { try $0.decode(Int64.self, at: 0) }
      var response = Civicgrid_V1_ListOrdersResponse()
      let calendar = try await CalendarStore.require(CalendarStore.defaultJurisdiction, on: connection).calendar
      for id in ids.prefix(size) {
        let record = try await CaseRecord.load(id, scope: .everything, on: connection, lock: false)
        let order = try await OrderRow.load(id, on: connection, lock: false)
        response.orders.append(try Self.message(record, order, calendar: calendar, at: now))
      }
      if ids.count > size, let last = ids.prefix(size).last { response.nextPageToken = String(last) }
      return response
    }
  }
}
