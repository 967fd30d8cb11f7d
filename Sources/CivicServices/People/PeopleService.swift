public import CivicDomain
public import CivicProtos
public import CivicStore
import Foundation
public import GRPCCore

/// `civicgrid.v1.People`: residents, households and tags collected once and used by all
/// (docs/PEOPLE.md). One person per ID number: registrations and imports merge onto it by the
/// trust rule (`PersonMerge`); a lower-trust conflicting value waits as a pending correction.
/// Sensitive parts are masked unless a role of the privacy table names a purpose
/// (`PersonDataAccess`), and such a read is audited.
///
/// Scope: a person is visible when their grid is in the caller's subtree (auditors:
/// everything); anything else answers NOT_FOUND like a missing person.
public struct PeopleService: Civicgrid_V1_People.SimpleServiceProtocol {
  let store: StorePool
  /// The time writes are stamped with; tests script it.
  let now: @Sendable () -> Instant

  public init(store: StorePool) {
    self.init(store: store, now: { Instant.now })
  }

  public init(store: StorePool, now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.now = now
  }

  static let readers: Set<Role> = [.clerk, .handler, .gridWorker, .supervisor, .admin, .auditor]

  public static let policies: [String: MethodPolicy] = [
    "civicgrid.v1.People/RegisterPerson": .roles([.clerk, .gridWorker]),
    // Partners read a person they hold an id of: masked, never a key-group tag.
    "civicgrid.v1.People/GetPerson": .roles(readers.union([.partner])),
    "civicgrid.v1.People/FindPeople": .roles(readers),
    "civicgrid.v1.People/CorrectPerson": .roles([.clerk]),
    "civicgrid.v1.People/ListCorrections": .roles([.clerk, .supervisor, .auditor]),
    "civicgrid.v1.People/DecideCorrection": .roles([.clerk]),
    "civicgrid.v1.People/AddTag": .roles([.clerk, .handler, .gridWorker]),
    "civicgrid.v1.People/EndTag": .roles([.clerk, .handler, .gridWorker]),
    "civicgrid.v1.People/GetHousehold": .roles(readers),
    // A department's list: its handlers, or an administrator.
    "civicgrid.v1.People/ImportPeople": .roles([.handler, .admin]),
  ]

  /// A purpose string: optional, at most 200 characters.
  static func purpose(_ value: String) throws(DomainError) -> String {
    try Validation.text(value, field: "purpose", maxLength: 200, required: false)
  }

  /// A person id from a request: at least 1.
  static func personID(_ value: Int64, field: String = "person_id") throws(DomainError) -> Int64 {
    guard value >= 1 else { throw Require.invalid(field, "must be at least 1, got \(value)") }
    return value
  }

  /// The source a caller may state: WINDOW for clerks, GRID_VISIT for grid workers,
  /// DEPARTMENT_IMPORT only through imports, SELF_DECLARED for anyone; unstated, the one
  /// their role implies.
  static func source(_ value: Civicgrid_V1_InformationSource, for principal: Principal, importing: Bool) throws(DomainError)
    -> ProvenanceSource
  {
    guard value != .unspecified else {
      if importing { return .departmentImport }
      return principal.has(.clerk) ? .window : .gridVisit
    }
    guard let source = PeopleMapping.source(value) else { throw Require.invalid("source", "is not a known source") }
    let allowed: Bool =
      switch source {
      case .window: !importing && principal.has(.clerk)
      case .gridVisit: !importing && principal.has(.gridWorker)
      case .departmentImport: importing
      case .selfDeclared: true
      }
    guard allowed else { throw DomainError.permissionDenied("source: \(source.rawValue) is not a source this call may state") }
    return source
  }
}
