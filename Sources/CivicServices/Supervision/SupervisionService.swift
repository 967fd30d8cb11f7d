public import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.Supervision`: the alert feed, supervision orders (督办单), notices (通报) and
/// inspections (季度检查督导). See docs/SUPERVISION.md.
///
/// Orders and inspection findings are cases on the engine (`CasePolicy.supervisionOrder`,
/// `.inspectionFinding`): every command is one transaction that locks the case row, applies the
/// domain command through `CaseExecutor` (tasks, clocks, timeline events via `CaseRepository`), its
/// `supervision_orders` row, one alert, and the audit row last.
public struct SupervisionService: Civicgrid_V1_Supervision.SimpleServiceProtocol {
  let store: StorePool
  /// The time commands are stamped with; tests script it.
  let now: @Sendable () -> Instant
  /// The instance's shared LISTEN connection for WatchAlerts; nil: one per subscriber.
  let feeds: FeedListener?

  public init(store: StorePool, feeds: FeedListener? = nil) {
    self.init(store: store, now: { Instant.now }, feeds: feeds)
  }

  public init(store: StorePool, now: @escaping @Sendable () -> Instant, feeds: FeedListener? = nil) {
    self.store = store
    self.now = now
    self.feeds = feeds
  }

  static let watchers: Set<Role> = [.supervisor, .handler, .clerk, .admin, .auditor]

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Supervision/WatchAlerts": .roles(watchers),
    "civicgrid.v1.Supervision/ListAlerts": .roles(watchers),
    "civicgrid.v1.Supervision/IssueOrder": .roles([.supervisor]),
    "civicgrid.v1.Supervision/AcknowledgeOrder": .roles([.handler, .supervisor]),
    "civicgrid.v1.Supervision/ReplyOrder": .roles([.handler, .supervisor]),
    "civicgrid.v1.Supervision/VerifyOrder": .roles([.supervisor]),
    "civicgrid.v1.Supervision/EscalateOrder": .roles([.supervisor]),
    "civicgrid.v1.Supervision/GetOrder": .authenticated,
    "civicgrid.v1.Supervision/ListOrders": .authenticated,
    "civicgrid.v1.Supervision/PublishNotice": .roles([.supervisor]),
    "civicgrid.v1.Supervision/ListNotices": .authenticated,
    "civicgrid.v1.Supervision/RecordInspection": .roles([.supervisor]),
    "civicgrid.v1.Supervision/ListInspections": .authenticated,
  ]

  static func party(_ principal: Principal) -> Party {
    .staff(StaffID(principal.login), unit: UnitID(principal.unitCode))
  }

  /// A unit by code, if it exists and the caller's scope contains it.
  static func unit(_ code: String, field: String, scope: UnitScope, on connection: StoreConnection) async throws -> (id: Int64, path: String) {
    guard let unit = try await UnitRepository(connection).idAndPath(code: code), scope.contains(path: unit.path) else {
      throw Require.invalid(field, "unit \(code) not found")
    }
    return unit
  }

  /// A period: YYYY, YYYY-Qn, YYYY-MM or YYYY-Www.
  static func period(_ field: String, _ value: String, quarterOnly: Bool = false) throws(DomainError) -> String {
    let patterns = quarterOnly ? [#"^\d{4}-Q[1-4]$"#] : [#"^\d{4}$"#, #"^\d{4}-Q[1-4]$"#, #"^\d{4}-(0[1-9]|1[0-2])$"#, #"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"#]
    guard patterns.contains(where: { value.range(of: $0, options: .regularExpression) != nil }) else {
      throw Require.invalid(field, quarterOnly ? "must be a quarter YYYY-Qn, got \"\(value.prefix(20))\"" : "must be YYYY, YYYY-Qn, YYYY-MM or YYYY-Www, got \"\(value.prefix(20))\"")
    }
    return value
  }

  static func wire(_ level: WarningLevel?) -> Civicgrid_V1_WarningLevel {
    switch level {
    case .green?: .green
    case .yellow?: .yellow
    case .red?: .red
    case .overdue?: .overdue
    case nil: .unspecified
    }
  }
}
