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

  /// Whether a catalogue version whose stages dispatch the item to the organisation may be
  /// published on `day`: some contract covering the item is active then or begins later (a
  /// version may be readied for a contract about to begin; each dispatch is still checked on
  /// its own day by `contract(for:at:on:among:)`). Answers the covering contract that ends
  /// last, or the refusal the engine would give on `day`.
  public static func publication(
    for itemCode: String, at organisationCode: String, from day: CivilDate, among candidates: [Candidate]
  ) -> Result<Int64, ContractRefusal> {
    let ahead = candidates.filter { $0.coversItem && day <= $0.endsOn && $0.startsOn <= $0.endsOn }
    if let chosen = ahead.max(by: { ($0.endsOn, -$0.id) < ($1.endsOn, -$1.id) }) { return .success(chosen.id) }
    // None ahead, so none is active either: the dispatch refusal says why.
    return Self.contract(for: itemCode, at: organisationCode, on: day, among: candidates)
  }

  /// Days between `day` and the candidate's period.
  static func distance(_ candidate: Candidate, _ day: CivilDate) -> Int {
    day < candidate.startsOn ? candidate.startsOn.daysSinceEpoch - day.daysSinceEpoch : day.daysSinceEpoch - candidate.endsOn.daysSinceEpoch
  }
}
