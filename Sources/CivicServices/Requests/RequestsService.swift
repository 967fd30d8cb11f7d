public import CivicDomain
public import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.Requests`: citizens' requests resolved by tier (群众诉求分级化解) and their
/// routing table (docs/REQUESTS.md).
///
/// A request is a case of kind `citizenRequest` (`CitizenRequestKind`): intake writes the case,
/// its `citizen_requests` row and the audit row in one transaction; every command on it runs
/// through `CaseExecutor`. Tier commands come from staff of the tier's unit (others get
/// NOT_FOUND, as for any task); the citizen's answer and the return visit come from the first
/// receiver's side (the intake unit's scope), which stays responsible for the reply (首接负责).
/// A tier whose time runs out is escalated by the warning sweeper (`commandOnOverdue`).
public struct RequestsService: Civicgrid_V1_Requests.SimpleServiceProtocol {
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

  static let readers: Set<Role> = [.gridWorker, .clerk, .handler, .supervisor, .admin, .auditor]

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.Requests/SubmitRequest": .roles([.gridWorker, .clerk, .partner]),
    "civicgrid.v1.Requests/PreviewRoute": .roles([.gridWorker, .clerk, .handler, .supervisor, .admin, .partner]),
    "civicgrid.v1.Requests/EscalateRequest": .roles([.gridWorker, .clerk, .handler, .supervisor]),
    "civicgrid.v1.Requests/ReplyToRequest": .roles([.gridWorker, .clerk, .handler]),
    "civicgrid.v1.Requests/ConfirmReply": .roles([.gridWorker, .clerk]),
    "civicgrid.v1.Requests/RecordRequestVisit": .roles([.gridWorker, .clerk]),
    "civicgrid.v1.Requests/GetRequest": .roles(readers),
    "civicgrid.v1.Requests/ListRequests": .roles(readers),
    "civicgrid.v1.Requests/GetRoutingTable": .authenticated,
    "civicgrid.v1.Requests/UpdateRoutingTable": .roles([.admin]),
  ]

  static let kinds: Set<String> = [CitizenRequestKind.citizenRequest.name]

  static func party(_ principal: Principal) -> Party {
    .staff(StaffID(principal.login), unit: UnitID(principal.unitCode))
  }
}
