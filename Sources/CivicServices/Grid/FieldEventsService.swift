public import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.FieldEvents`: events from the field (网格信息采集), their routing table and the
/// acknowledgement of urgent ones (docs/GRID.md).
///
/// An event is a case of kind `fieldEvent` (`FieldEventKind`) whose intake unit is its grid, so
/// scope is the grid's subtree (and, once routed, the handling unit's). The report writes the
/// case, its `field_events` row and the audit row in one transaction — with, for an urgent
/// event, its routing, its alerts and their recipients; every later command runs through
/// `CaseExecutor`.
public struct FieldEventsService: Civicgrid_V1_FieldEvents.SimpleServiceProtocol {
  let store: StorePool
  /// The time commands are stamped with; tests script it.
  let now: @Sendable () -> Instant

  public init(store: StorePool) {
    self.init(store: store, now: { Instant.now })
  }

  public init(store: StorePool, now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.now = now
  }

  static let readers: Set<Role> = [.gridWorker, .handler, .supervisor, .admin, .auditor]

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.FieldEvents/ReportEvent": .roles([.gridWorker, .partner]),
    "civicgrid.v1.FieldEvents/UploadEvents": .roles([.gridWorker, .partner]),
    "civicgrid.v1.FieldEvents/RouteEvent": .roles([.gridWorker, .supervisor]),
    "civicgrid.v1.FieldEvents/HandleEvent": .roles([.gridWorker, .handler]),
    "civicgrid.v1.FieldEvents/CheckEvent": .roles([.handler, .supervisor]),
    "civicgrid.v1.FieldEvents/CloseEvent": .roles([.gridWorker, .supervisor]),
    "civicgrid.v1.FieldEvents/GetEvent": .roles(readers),
    "civicgrid.v1.FieldEvents/ListEvents": .roles(readers),
    "civicgrid.v1.FieldEvents/GetEventRouting": .authenticated,
    "civicgrid.v1.FieldEvents/UpdateEventRouting": .roles([.admin]),
    "civicgrid.v1.FieldEvents/AcknowledgeUrgentEvent": .roles([.handler, .supervisor]),
  ]

  static let kinds: Set<String> = [FieldEventKind.fieldEvent.name]

  /// Working days the street has to check a sampled self-handled event.
  static let checkWorkingDays = 3

  static func party(_ principal: Principal) -> Party {
    .staff(StaffID(principal.login), unit: UnitID(principal.unitCode))
  }
}
