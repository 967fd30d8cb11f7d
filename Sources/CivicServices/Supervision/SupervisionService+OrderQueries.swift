import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension SupervisionService {
  static func message(_ record: CaseRecord, _ order: OrderRecord, calendar: WorkingCalendar, at now: Instant) throws -> Civicgrid_V1_Order {
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
    guard Self.orderKinds.contains(record.value.kind), let order = try await OrderRepository(connection).load(id, lock: false) else {
      throw DomainError.notFound("order \(record.number)")
    }
    let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
    return try Self.message(record, order, calendar: calendar, at: now)
  }

  public func listOrders(request: Civicgrid_V1_ListOrdersRequest, context: ServerContext) async throws -> Civicgrid_V1_ListOrdersResponse {
    let principal = try RequestContext.principal()
    let size = try Require.pageSize(request.pageSize, default: 50)
    guard size <= 200 else { throw Require.invalid("page_size", "must be 1–200, got \(size)") }
    let after = try PageToken.decode(request.pageToken)?.id() ?? Int64.max
    let kind = request.kind.isEmpty ? OrderKind.supervisionOrder.name : request.kind
    guard Self.orderKinds.contains(kind) else { throw Require.invalid("kind", "must be supervisionOrder or inspectionFinding") }
    for (index, state) in request.states.enumerated()
    where ![CaseState.issued, .acknowledged, .replied, .closed].contains(CaseState(state)) {
      throw Require.invalid("states[\(index)]", "must be issued, acknowledged, replied or closed, got \"\(state.prefix(20))\"")
    }
    let level: OrderLevel?
    switch request.level {
    case .unspecified: level = nil
    case .ordinary: level = .ordinary
    case .listed: level = .listed
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
      let orders = OrderRepository(connection)
      let ids = try await orders.list(
        kind: kind, range: scope.sqlRange, before: after, states: request.states, level: level, limit: size + 1
      )
      var response = Civicgrid_V1_ListOrdersResponse()
      let calendar = try await CalendarStore.require(CalendarStore.defaultJurisdiction, on: connection).calendar
      let page = Array(ids.prefix(size))
      let rows = try await orders.load(page)
      for record in try await CaseRepository(connection).load(page) {
        guard let order = rows[record.id] else { continue }
        response.orders.append(try Self.message(record, order, calendar: calendar, at: now))
      }
      if ids.count > size, let last = ids.prefix(size).last { response.nextPageToken = PageToken(after: last).encoded }
      return response
    }
  }
}
