/// Which contract, if any, admits assigning work for an item to a social organisation on a
/// day: one whose scope holds the item and whose period holds the day. Pure: the engine loads
/// the organisation's contracts and asks.
public enum ContractCoverage {
  /// One contract of the organisation as the rule sees it.
  public struct Candidate: Sendable, Hashable {
    public var id: Int64
    public var startsOn: CivilDate
    public var endsOn: CivilDate
    /// Whether its scope holds the item.
    public var coversItem: Bool
    /// Whether it was ended before the end of its period (`endsOn` is then its new last day).
    public var endedEarly: Bool

    public init(id: Int64, startsOn: CivilDate, endsOn: CivilDate, coversItem: Bool, endedEarly: Bool = false) {
      self.id = id
      self.startsOn = startsOn
      self.endsOn = endsOn
      self.coversItem = coversItem
      self.endedEarly = endedEarly
    }
  }

  /// The contract the work falls under (the one that started last, then the lowest id), or
  /// the refusal naming why there is none.
  public static func contract(
    for itemCode: String, at organisationCode: String, on day: CivilDate, among candidates: [Candidate]
  ) -> Result<Int64, ContractRefusal> {
    let covering = candidates.filter(\.coversItem)
    let active = covering.filter { $0.startsOn <= day && day <= $0.endsOn }
    if let chosen = active.max(by: { ($0.startsOn, -$0.id) < ($1.startsOn, -$1.id) }) { return .success(chosen.id) }
    let reason: ContractRefusal.Reason
    if candidates.isEmpty {
      reason = .noContract
    } else if let nearest = covering.min(by: { distance($0, day) < distance($1, day) }) {
      reason =
        nearest.endedEarly && day > nearest.endsOn
        ? .endedEarly(contractID: nearest.id, lastDay: nearest.endsOn)
        : .outsidePeriod(contractID: nearest.id, startsOn: nearest.startsOn, endsOn: nearest.endsOn)
    } else {
      reason = .outsideScope
    }
    return .failure(ContractRefusal(organisationCode: organisationCode, itemCode: itemCode, day: day, reason: reason))
  }

  /// Days between `day` and the candidate's period.
  static func distance(_ candidate: Candidate, _ day: CivilDate) -> Int {
    day < candidate.startsOn ? candidate.startsOn.daysSinceEpoch - day.daysSinceEpoch : day.daysSinceEpoch - candidate.endsOn.daysSinceEpoch
  }
}
