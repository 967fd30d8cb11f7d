import CivicServices
import Testing

/// The granting rule over every pair of roles, checked against the rule as SECURITY.md states
/// it, written out here in its own words rather than by calling `Grants`.
@Suite("Grant rules (pure)", .timeLimit(.minutes(1)))
struct GrantRulesTests {
  static let street = "/QH/QH-S1/"
  static let otherStreet = "/QH/QH-S2/"
  static let community = "/QH/QH-S1/QH-S1-C1/"
  static let root = "/QH/"

  static func principal(_ roles: Set<Role>, at path: String) -> Principal {
    Principal(accountID: 1, login: "granter", unitID: 1, unitCode: "X", unitPath: path, roles: roles)
  }

  /// Every set of one or two roles.
  static let roleSets: [Set<Role>] = {
    var sets: [Set<Role>] = Role.allCases.map { [$0] }
    for (index, first) in Role.allCases.enumerated() {
      for second in Role.allCases[(index + 1)...] { sets.append([first, second]) }
    }
    return sets
  }()

  /// SECURITY.md, "Granting": roles you hold, within your scope; auditor alone, from a
  /// district admin.
  static func expected(granter: Set<Role>, granterPath: String, granted: Set<Role>, at path: String) -> Bool {
    let granterIsAuditorGrant = granter == [.auditor]
    let granterScopeHolds = granterIsAuditorGrant || path.hasPrefix(granterPath)
    if granted.contains(.auditor) {
      return granted.count == 1 && granter.contains(.admin) && granterPath == Self.root && granterScopeHolds
    }
    return granted.isSubset(of: granter) && granterScopeHolds
  }

  @Test("every pair of granter roles against every pair of granted roles, at home, below, beside and above")
  func everyPair() {
    var checked = 0
    for granter in Self.roleSets {
      for granterPath in [Self.street, Self.root] {
        let principal = Self.principal(granter, at: granterPath)
        for granted in Self.roleSets {
          for path in [Self.street, Self.community, Self.otherStreet, Self.root] {
            let allowed = Grants.refusal(granter: principal, roles: granted, atUnitPath: path) == nil
            #expect(
              allowed == Self.expected(granter: granter, granterPath: granterPath, granted: granted, at: path),
              "\(granter.sorted()) at \(granterPath) granting \(granted.sorted()) at \(path)"
            )
            checked += 1
          }
        }
      }
    }
    #expect(checked == 36 * 2 * 36 * 4)
  }

  @Test("a scope comes from the unit alone: auditor held with another role reads no further than the unit")
  func scopeFromUnit() {
    #expect(Self.principal([.auditor], at: Self.street).scope == .everything)
    for role in Role.allCases where role != .auditor {
      #expect(Self.principal([role, .auditor], at: Self.street).scope == .subtree(Self.street), "\(role)")
      #expect(Self.principal([role], at: Self.street).scope == .subtree(Self.street), "\(role)")
    }
    #expect(Self.principal([.admin], at: Self.root).coversDistrict)
    #expect(!Self.principal([.admin], at: Self.street).coversDistrict)
    #expect(!Self.principal([.admin, .auditor], at: Self.street).coversDistrict)
  }

  @Test("the refusal names the rule it applied")
  func refusals() {
    let streetAdmin = Self.principal([.admin], at: Self.street)
    #expect(Grants.refusal(granter: streetAdmin, roles: [.admin, .auditor], atUnitPath: Self.street) == .auditorCombined)
    #expect(Grants.refusal(granter: streetAdmin, roles: [.auditor], atUnitPath: Self.street) == .auditorNeedsDistrictAdmin)
    #expect(Grants.refusal(granter: streetAdmin, roles: [.clerk], atUnitPath: Self.street) == .roleNotHeld(.clerk))
    #expect(Grants.refusal(granter: streetAdmin, roles: [.admin], atUnitPath: Self.otherStreet) == .outsideScope)
    #expect(Grants.refusal(granter: streetAdmin, roles: [.admin], atUnitPath: Self.community) == nil)
  }

  @Test("the methods that admit auditor are exactly the auditor grant's read-only list")
  func auditorMethods() {
    let admitting = Set(MethodPolicies.all.filter { name, policy in
      if case .roles(let roles) = policy.access { return roles.contains(.auditor) }
      return policy.access == .authenticated
    }.keys)
    #expect(admitting == Grants.auditorMethods, "admitting but not listed: \(admitting.subtracting(Grants.auditorMethods).sorted()); listed but not admitting: \(Grants.auditorMethods.subtracting(admitting).sorted())")
  }
}
