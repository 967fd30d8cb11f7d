/// The notice a purchasing unit gets before a contract covering a published catalogue item
/// ends with nothing after it (docs/CONTRACTS.md, "When a contract ends"): pure, the sweeper
/// loads the contracts and asks.
public enum ContractEndNotice {
  /// The last day a contract may end on to be noticed on `today`: the `workingDays`-th working
  /// day after it (a contract ending on a rest day before that is noticed as well).
  public static func horizon(from today: CivilDate, workingDays: Int, in calendar: WorkingCalendar) throws(DomainError) -> CivilDate {
    try calendar.workingDay(max(1, workingDays), after: today)
  }

  /// Whether the item falls out of cover at the organisation the day after `endsOn`: no contract
  /// among `candidates` (the ending one included) covers it then, so intake would be suspended.
  public static func leavesUncovered(
    itemCode: String, at organisationCode: String, after endsOn: CivilDate, among candidates: [ContractCoverage.Candidate]
  ) -> Bool {
    if case .failure = ContractCoverage.contract(for: itemCode, at: organisationCode, on: endsOn.adding(days: 1), among: candidates) {
      return true
    }
    return false
  }

  /// The alert's text.
  public static func summary(contractID: Int64, organisationCode: String, itemCode: String, itemVersion: Int, endsOn: CivilDate) -> String {
    "contract \(ServiceContract.number(contractID)) with \(organisationCode) ends \(endsOn) and no other contract covers item "
      + "\(itemCode) (published v\(itemVersion)) after it: its intake is suspended from \(endsOn.adding(days: 1)) unless a contract or an amendment covers it"
  }
}
