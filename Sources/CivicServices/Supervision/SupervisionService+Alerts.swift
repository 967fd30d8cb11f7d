import CivicDomain
public import CivicProtos
import CivicStore
import Foundation
public import GRPCCore

extension SupervisionService {
  /// A validated alert filter as SQL bind values.
  struct AlertQuery: Sendable {
    var lower: String
    var upper: String
    var levels: String
    var caseKinds: String
    var kinds: String

    static let sql = """
      SELECT a.seq, a.kind, a.case_id, a.task, a.case_kind, u.code, a.level, a.previous_level, a.order_id, a.record_id,
        a.summary, a.at
      FROM supervision_alerts a JOIN units u ON u.id = a.unit_id
      WHERE a.seq > $1 AND a.unit_path >= $2 AND a.unit_path < $3
        AND ($4 = '' OR a.level = ANY(string_to_array($4, ',')))
        AND ($5 = '' OR a.case_kind = ANY(string_to_array($5, ',')))
        AND ($6 = '' OR a.kind = ANY(string_to_array($6, ',')))
      ORDER BY a.seq LIMIT $7
      """

    func binds(after: Int64, limit: Int) -> [any SQLEncodable] {
      [after, self.lower, self.upper, self.levels, self.caseKinds, self.kinds, limit]
    }
  }

  static let alertKinds: [Civicgrid_V1_AlertKind: PendingAlert.Kind] = [
    .warning: .warning, .urge: .urge, .orderProposed: .orderProposed, .order: .order, .notice: .notice, .inspection: .inspection,
  ]

  func alertQuery(_ filter: Civicgrid_V1_AlertFilter, principal: Principal) async throws -> AlertQuery {
    var levels: [String] = []
    for (index, level) in filter.levels.enumerated() {
      switch level {
      case .green: levels.append("green")
      case .yellow: levels.append("yellow")
      case .red: levels.append("red")
      case .overdue: levels.append("overdue")
      default: throw Require.invalid("filter.levels[\(index)]", "must be GREEN, YELLOW, RED or OVERDUE")
      }
    }
    var kinds: [String] = []
    for (index, kind) in filter.kinds.enumerated() {
      guard let known = Self.alertKinds[kind] else { throw Require.invalid("filter.kinds[\(index)]", "is not an alert kind") }
      kinds.append(known.rawValue)
    }
    for (index, kind) in filter.caseKinds.enumerated() { _ = try Require.code("filter.case_kinds[\(index)]", kind) }
    var range = principal.scope.sqlRange
    if !filter.unitCode.isEmpty {
      let code = try Require.code("filter.unit_code", filter.unitCode)
      let unit = try await self.store.withConnection { connection in
        try await Self.unit(code, field: "filter.unit_code", scope: principal.scope, on: connection)
      }
      range = UnitScope.subtree(unit.path).sqlRange
    }
    return AlertQuery(
      lower: range.lower,
      upper: range.upper,
      levels: levels.joined(separator: ","),
      caseKinds: filter.caseKinds.joined(separator: ","),
      kinds: kinds.joined(separator: ",")
    )
  }

  static func alert(_ row: Row) throws -> Civicgrid_V1_Alert {
    var m = Civicgrid_V1_Alert()
    m.sequence = try row.decode(Int64.self, at: 0)
    let kind = PendingAlert.Kind(rawValue: try row.decode(String.self, at: 1))
    m.kind = kind.flatMap { kind in Self.alertKinds.first { $0.value == kind }?.key } ?? .unspecified
    m.caseID = try row.decode(Int64?.self, at: 2).map(CaseNumber.format) ?? ""
    m.task = try row.decode(Int32.self, at: 3)
    m.caseKind = try row.decode(String.self, at: 4)
    m.unitCode = try row.decode(String.self, at: 5)
    m.level = Self.wire(try row.decode(String?.self, at: 6).flatMap(WarningLevel.init(stored:)))
    m.previousLevel = Self.wire(try row.decode(String?.self, at: 7).flatMap(WarningLevel.init(stored:)))
    m.orderID = try row.decode(Int64?.self, at: 8).map(CaseNumber.format) ?? ""
    m.recordID = try row.decode(Int64.self, at: 9)
    m.summary = try row.decode(String.self, at: 10)
    m.at = try row.decode(Date.self, at: 11).timestamp
    return m
  }

  public func listAlerts(request: Civicgrid_V1_ListAlertsRequest, context: ServerContext) async throws -> Civicgrid_V1_ListAlertsResponse {
    let principal = try RequestContext.principal()
    guard request.after >= 0 else { throw Require.invalid("after", "must not be negative, got \(request.after)") }
    let size = try Require.pageSize(request.pageSize, default: 100)
    let query = try await self.alertQuery(request.filter, principal: principal)
    var response = Civicgrid_V1_ListAlertsResponse()
    response.alerts = try await self.store.query(AlertQuery.sql, query.binds(after: request.after, limit: size)).rows.map(Self.alert)
    return response
  }

  /// Every alert after `after` within the filter and the caller's scope, then live ones.
  ///
  /// Alerts are written under the alert-order lock (`AlertWriter`), so the `SequencedFeed` over
  /// them skips none; it rereads on every `supervision_alerts` notification and once a second.
  /// A subscriber resumes with the last sequence it saw and gets every alert exactly once, in order.
  public func watchAlerts(
    request: Civicgrid_V1_WatchAlertsRequest,
    response: RPCWriter<Civicgrid_V1_Alert>,
    context: ServerContext
  ) async throws {
    let principal = try RequestContext.principal()
    guard request.after >= 0 else { throw Require.invalid("after", "must not be negative, got \(request.after)") }
    let query = try await self.alertQuery(request.filter, principal: principal)
    let store = self.store
    try await SequencedFeed(store: store, channel: AlertWriter.notifyChannel).follow(after: request.after) { after, limit in
      try await store.query(AlertQuery.sql, query.binds(after: after, limit: limit)).rows
    } deliver: { row in
      let alert = try Self.alert(row)
      try await response.write(alert)
      return alert.sequence
    }
  }
}
