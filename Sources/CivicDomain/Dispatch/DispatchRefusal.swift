/// Work the case engine refused to assign to a unit under a rule of who may be given work:
/// the community access list (`AccessListRefusal`) or a service purchase contract
/// (`ContractRefusal`). Each is counted for the sending unit in the refusal report
/// (docs/ACCESS.md), under its rule.
public protocol DispatchRefusal: Error, Sendable, CustomStringConvertible {
  /// The rule's key in the refusal report: `access-list` or `contract`.
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
