/// Work for an item refused at a social organisation that holds no active service purchase
/// contract covering it (政府购买服务, docs/CONTRACTS.md). The case engine raises it where
/// tasks are assigned; the RPC layer answers FAILED_PRECONDITION with `description`.
public struct ContractRefusal: Error, Sendable, Hashable, CustomStringConvertible {
  /// The rule's name, as refusals state it.
  public static let rule = "service purchase contract (政府购买服务)"

  /// Why no contract admits the work.
  public enum Reason: Sendable, Hashable {
    /// The organisation has no contract at all.
    case noContract
    /// Contracts exist, none of whose scopes holds the item.
    case outsideScope
    /// A contract's scope holds the item, but the day is outside its period.
    case outsidePeriod(contractID: Int64, startsOn: CivilDate, endsOn: CivilDate)
    /// A contract's scope holds the item, but it was ended early, its last day before the day.
    case endedEarly(contractID: Int64, lastDay: CivilDate)
  }

  public var organisationCode: String
  public var itemCode: String
  public var day: CivilDate
  public var reason: Reason

  public init(organisationCode: String, itemCode: String, day: CivilDate, reason: Reason) {
    self.organisationCode = organisationCode
    self.itemCode = itemCode
    self.day = day
    self.reason = reason
  }

  public var description: String {
    let why =
      switch self.reason {
      case .noContract: "it holds no service contract"
      case .outsideScope: "no contract of it covers the item"
      case .outsidePeriod(let id, let starts, let ends):
        "contract \(ServiceContract.number(id)) covers the item from \(starts) to \(ends), not on \(self.day)"
      case .endedEarly(let id, let lastDay):
        "contract \(ServiceContract.number(id)) covering the item was ended early, its last day \(lastDay)"
      }
    return "\(Self.rule): item \(self.itemCode) may not be assigned to organisation \(self.organisationCode): \(why)"
  }
}
