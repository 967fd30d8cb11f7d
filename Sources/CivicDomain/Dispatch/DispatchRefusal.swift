/// Work the case engine refused to assign to a unit under a rule of who may be given work:
/// the community access list (`AccessListRefusal`), a service purchase contract
/// (`ContractRefusal`), or an intake refused up front because a later stage would need such a
/// contract (`ContractSuspension`). Each is counted for the sending unit in the refusal report
/// (docs/ACCESS.md), under its rule.
public protocol DispatchRefusal: Error, Sendable, CustomStringConvertible {
  /// The rule's key in the refusal report: `access-list`, `contract` or `suspended-intake`
  /// (the values migration 0030's check allows).
  static var ruleKey: String { get }
  /// The unit the work was refused at.
  var targetUnitCode: String { get }
  /// The work item refused.
  var itemCode: String { get }
}

extension AccessListRefusal: DispatchRefusal {
  public static var ruleKey: String { "access-list" }
  public var targetUnitCode: String { self.unitCode }
}

extension ContractRefusal: DispatchRefusal {
  public static var ruleKey: String { "contract" }
  public var targetUnitCode: String { self.organisationCode }
}

extension ContractSuspension: DispatchRefusal {
  public static var ruleKey: String { "suspended-intake" }
  public var targetUnitCode: String { self.refusal.organisationCode }
  public var itemCode: String { self.refusal.itemCode }
}
