import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension AlertRow: FeedSequenced {}

extension SupervisionService {
  static let alertKinds: [Civicgrid_V1_AlertKind: PendingAlert.Kind] = [
    .warning: .warning, .urge: .urge, .orderProposed: .orderProposed, .order: .order, .notice: .notice, .inspection: .inspection,
    .targetMissed: .targetMissed,
    .urgentEvent: .urgentEvent, .urgentEscalated: .urgentEscalated,
    .contractEnding: .contractEnding,
  ]

  func alertQuery(_ filter: Civicgrid_V1_AlertFilter, principal: Principal) async throws -> AlertFilter {
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
    return AlertFilter(range: range, levels: levels, caseKinds: filter.caseKinds, kinds: kinds)
  }

  /// A `supervision_alerts` row as the wire alert.
  static func alert(_ stored: AlertRow) -> Civicgrid_V1_Alert {
    var m = Civicgrid_V1_Alert()
    m.sequence = stored.sequence
    let kind = PendingAlert.Kind(rawValue: stored.kind)
    m.kind = kind.flatMap { kind in Self.alertKinds.first { $0.value == kind }?.key } ?? .unspecified
    m.caseID = stored.caseID.map(CaseNumber.format) ?? ""
    m.task = stored.task
    m.caseKind = stored.caseKind
    m.unitCode = stored.unitCode
    m.level = Self.wire(stored.level.flatMap(WarningLevel.init(stored:)))
    m.previousLevel = Self.wire(stored.previousLevel.flatMap(WarningLevel.init(stored:)))
    m.orderID = stored.orderID.map(CaseNumber.format) ?? ""
    m.recordID = stored.recordID
    m.summary = stored.summary
    m.at = stored.at.timestamp
    return m
  }

  public func listAlerts(request: Civicgrid_V1_ListAlertsRequest, context: ServerContext) async throws -> Civicgrid_V1_ListAlertsResponse {
    let principal = try RequestContext.principal()
    guard request.after >= 0 else { throw Require.invalid("after", "must not be negative, got \(request.after)") }
    let size = try Require.pageSize(request.pageSize, default: 100)
    let query = try await self.alertQuery(request.filter, principal: principal)
    var response = Civicgrid_V1_ListAlertsResponse()
    response.alerts = try await self.store.query(query.page(after: request.after, limit: size)).decode(AlertRow.self).map(Self.alert)
    return response
  }

  /// Every alert after `after` within the filter and the caller's scope, then live ones.
  ///
  /// Alerts are written under the alert-order lock (`AlertWriter`), so sequence values become
  /// visible in increasing order and a read of `seq > cursor` skips none. With the instance's
  /// `FeedListener`, subscribers share its alert tail (`FeedTail`): one read per new range for
  /// all of them, each filtered in memory by `AlertFilter.admits`, the database read only to
  /// catch up (docs/CASES.md, "The shared feed tail"). Without it (or with a window of 0), a
  /// `SequencedFeed` rereads with the filter's SQL on every notification and once a second.
  /// A subscriber resumes with the last sequence it saw and gets every alert exactly once, in order.
  public func watchAlerts(
    request: Civicgrid_V1_WatchAlertsRequest,
    response: RPCWriter<Civicgrid_V1_Alert>,
    context: ServerContext
  ) async throws {
    let principal = try RequestContext.principal()
    guard request.after >= 0 else { throw Require.invalid("after", "must not be negative, got \(request.after)") }
    let filter = try await self.alertQuery(request.filter, principal: principal)
    let store = self.store
    let page = { (after: Int64, limit: Int) in try await store.query(filter.page(after: after, limit: limit)).decode(AlertRow.self) }
    try await FeedSubscribers.alerts.subscribed {
      try await SequencedFeed(store: store, channel: AlertWriter.notifyChannel, listener: self.feeds).follow(
        after: request.after, tail: self.feeds?.alerts, admits: filter.admits, page: page
      ) { try await response.write(Self.alert($0)) }
    }
  }
}
