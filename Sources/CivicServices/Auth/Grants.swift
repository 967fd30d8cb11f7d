/// The granting rule: what one account may hand to another (a new account's roles, a token
/// for someone else's account).
///
/// - An account grants only roles it holds itself, at units within its own scope. So a
///   street admin can make street admins and clerks, never a district admin.
/// - `auditor` is a separate, read-only grant of the whole district, never combined with
///   another role (an account holding it with a writing role would read everywhere and write
///   somewhere). Only an admin whose scope already covers the district grants it, alone.
public enum Grants {
  /// Why a grant is refused, for the caller (names the rule, not the data).
  public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
    case auditorCombined
    case roleNotHeld(Role)
    case auditorNeedsDistrictAdmin
    case outsideScope

    public var description: String {
      switch self {
      case .auditorCombined: "auditor is a read-only grant and cannot be combined with other roles"
      case .roleNotHeld(let role): "you can grant only roles you hold yourself, and you do not hold \(role.rawValue)"
      case .auditorNeedsDistrictAdmin: "only an admin of the whole district grants auditor"
      case .outsideScope: "the unit is outside your scope"
      }
    }
  }

  /// Exactly the auditor role: the district-wide, read-only grant.
  public static func isAuditorGrant(_ roles: Set<Role>) -> Bool { roles == [.auditor] }

  /// Checks that `granter` may give `roles` to an account at the unit with `unitPath`;
  /// nil when it may.
  public static func refusal(granter: Principal, roles: Set<Role>, atUnitPath unitPath: String) -> Refusal? {
    if roles.contains(.auditor) {
      guard roles.count == 1 else { return .auditorCombined }
      guard granter.has(.admin), granter.coversDistrict, !Self.isAuditorGrant(granter.roles) else {
        return .auditorNeedsDistrictAdmin
      }
      return granter.scope.contains(path: unitPath) ? nil : .outsideScope
    }
    if let missing = roles.sorted().first(where: { !granter.roles.contains($0) }) { return .roleNotHeld(missing) }
    return granter.scope.contains(path: unitPath) ? nil : .outsideScope
  }

  /// The methods an auditor grant may call: reads, plus its own tokens. A test checks that
  /// the policies admit `auditor` to exactly these, so a new method that admits it is a
  /// decision made here.
  public static let auditorMethods: Set<String> = [
    "civicgrid.v1.Directory/GetUnit", "civicgrid.v1.Directory/ListUnits", "civicgrid.v1.Directory/GetAccount",
    "civicgrid.v1.Directory/ListAccounts", "civicgrid.v1.Directory/WhoAmI",
    // Self-service only: another account's tokens need admin (`manageableAccount`).
    "civicgrid.v1.Directory/IssueToken", "civicgrid.v1.Directory/RevokeToken", "civicgrid.v1.Directory/ListTokens",
    "civicgrid.v1.Audit/ListAudit", "civicgrid.v1.Audit/VerifyAudit",
    "civicgrid.v1.Calendar/GetCalendar", "civicgrid.v1.Calendar/ComputeDeadline",
    "civicgrid.v1.Catalog/GetItem", "civicgrid.v1.Catalog/ListItems",
    "civicgrid.v1.Cases/GetCase", "civicgrid.v1.Cases/ListCases", "civicgrid.v1.Cases/ListTasks",
    "civicgrid.v1.Cases/WatchEvents",
    "civicgrid.v1.Appointments/GetCentreSchedule", "civicgrid.v1.Appointments/ListSlots",
    "civicgrid.v1.Appointments/GetAppointment",
    "civicgrid.v1.Evaluation/ListRectifications", "civicgrid.v1.Evaluation/GetMetrics",
    "civicgrid.v1.Evaluation/GetAssessment", "civicgrid.v1.Evaluation/GetReport",
    "civicgrid.v1.Evaluation/GetTargets", "civicgrid.v1.Evaluation/GetScheme",
    "civicgrid.v1.Supervision/WatchAlerts", "civicgrid.v1.Supervision/ListAlerts", "civicgrid.v1.Supervision/GetOrder",
    "civicgrid.v1.Supervision/ListOrders", "civicgrid.v1.Supervision/ListNotices",
    "civicgrid.v1.Supervision/ListInspections",
    "civicgrid.v1.Disputes/GetDispute", "civicgrid.v1.Disputes/ListDisputes", "civicgrid.v1.Disputes/GetAgenda",
    "civicgrid.v1.Disputes/ListDuty", "civicgrid.v1.Disputes/GetDisputeReport", "civicgrid.v1.Disputes/GetLadder",
    "civicgrid.v1.Requests/GetRequest", "civicgrid.v1.Requests/ListRequests", "civicgrid.v1.Requests/GetRoutingTable",
    "civicgrid.v1.FieldEvents/GetEvent", "civicgrid.v1.FieldEvents/ListEvents", "civicgrid.v1.FieldEvents/GetEventRouting",
    "civicgrid.v1.Grids/GetGridProfile", "civicgrid.v1.Grids/GetGridCard", "civicgrid.v1.Grids/ListTraining",
    "civicgrid.v1.Grids/GetGridStats",
    // Masked only: no role of the privacy table is an auditor's (PersonDataAccess).
    "civicgrid.v1.People/GetPerson", "civicgrid.v1.People/FindPeople", "civicgrid.v1.People/GetHousehold",
    "civicgrid.v1.People/ListCorrections",
    "civicgrid.v1.AccessLists/GetAccessList", "civicgrid.v1.AccessLists/GetRefusalReport",
    "civicgrid.v1.AccessLists/ListDelegatedItems",
    "civicgrid.v1.Contracts/GetContract", "civicgrid.v1.Contracts/ListContracts",
  ]
}
