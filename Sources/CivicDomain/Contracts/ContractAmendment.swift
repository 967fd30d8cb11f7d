/// New terms for a contract: each field set replaces the current one, unset keeps it. The
/// service validates each field's form; `ServiceContract.amended(_:today:)` applies the rules
/// of what may change on a day.
public struct ContractAmendment: Sendable, Hashable {
  public var itemCodes: [String]?
  public var startsOn: CivilDate?
  public var endsOn: CivilDate?
  public var amountFen: Int64?
  public var targets: ContractTargets?

  public init(
    itemCodes: [String]? = nil, startsOn: CivilDate? = nil, endsOn: CivilDate? = nil, amountFen: Int64? = nil, targets: ContractTargets? = nil
  ) {
    self.itemCodes = itemCodes
    self.startsOn = startsOn
    self.endsOn = endsOn
    self.amountFen = amountFen
    self.targets = targets
  }

  public var isEmpty: Bool {
    self.itemCodes == nil && self.startsOn == nil && self.endsOn == nil && self.amountFen == nil && self.targets == nil
  }
}
