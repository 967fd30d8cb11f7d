/// Why a published catalogue version takes no intake today: a social organisation its stages
/// dispatch to holds no contract covering the item on the day (docs/CONTRACTS.md, "When a
/// contract ends"). Computed from the contracts whenever it is asked, never stored, so it
/// lifts by itself when a new contract or an amendment covers the item again. Intake raises
/// it before any case is written; the RPC layer answers FAILED_PRECONDITION with `description`.
public struct ContractSuspension: Error, Sendable, Hashable, CustomStringConvertible {
  /// The refusal a dispatch to the organisation would get on the day.
  public var refusal: ContractRefusal

  public init(refusal: ContractRefusal) { self.refusal = refusal }

  /// The first organisation (by code) of `organisations` (each with its contracts as the rule
  /// sees them) that no contract covers `itemCode` at on `day`; nil when all are covered.
  public static func of(itemCode: String, organisations: [String: [ContractCoverage.Candidate]], on day: CivilDate) -> ContractSuspension? {
    for code in organisations.keys.sorted() {
      if case .failure(let refusal) = ContractCoverage.contract(for: itemCode, at: code, on: day, among: organisations[code] ?? []) {
        return ContractSuspension(refusal: refusal)
      }
    }
    return nil
  }

  public var organisationCode: String { self.refusal.organisationCode }

  /// The covering contract nearest the day, when the organisation holds one for the item.
  public var contractID: Int64? {
    switch self.refusal.reason {
    case .outsidePeriod(let id, _, _), .endedEarly(let id, _): id
    case .noContract, .outsideScope: nil
    }
  }

  /// The last day that contract covered, when it has ended (nil when it has not begun).
  public var endedOn: CivilDate? {
    switch self.refusal.reason {
    case .endedEarly(_, let lastDay): lastDay
    case .outsidePeriod(_, _, let endsOn) where endsOn < self.refusal.day: endsOn
    default: nil
    }
  }

  public var description: String {
    "\(self.refusal.description); intake of item \(self.refusal.itemCode) is suspended until a contract covers it again"
  }
}
