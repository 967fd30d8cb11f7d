/// Ending a contract early and amending it (docs/CONTRACTS.md, "Ending and amending"): each is
/// a new version of its terms. Work already assigned under it is not touched; the rule at
/// dispatch (`ContractCoverage`) reads the current version, so new assignments follow it.
extension ServiceContract {
  /// Refuses changing a contract that has ended, early or at the end of its period.
  public func requireOpen(today: CivilDate) throws(DomainError) {
    let subject = "contract \(Self.number(self.id))"
    if let reason = self.endReason {
      throw .precondition(subject, "was ended early (\(reason)); an ended contract is not changed")
    }
    if self.endsOn < today {
      throw .precondition(subject, "ended on \(self.endsOn); an ended contract is not changed")
    }
  }

  /// The contract ended early: `lastDay` is the last day it covers. It may be yesterday at
  /// the earliest (no retroactive end: work was assigned under it until now) and the day
  /// before its first for one that has not begun (it then covers no day); it must be earlier
  /// than the current last day.
  public func ended(lastDay: CivilDate, reason: String, today: CivilDate) throws(DomainError) -> ServiceContract {
    try self.requireOpen(today: today)
    let earliest = max(self.startsOn.adding(days: -1), today.adding(days: -1))
    guard lastDay >= earliest else {
      throw .invalidField("ends_on", "must not be before \(earliest): a contract is not ended retroactively")
    }
    guard lastDay < self.endsOn else {
      throw .invalidField("ends_on", "must be before the current last day \(self.endsOn); to extend a contract, amend it")
    }
    var ended = self
    ended.endsOn = lastDay
    ended.endReason = reason
    ended.version += 1
    return ended
  }

  /// The contract with `amendment`'s terms. The first day moves only while the contract has
  /// not begun, and not into the past; the last day must not be before today (to stop a
  /// contract sooner, end it) nor before the first.
  public func amended(_ amendment: ContractAmendment, today: CivilDate) throws(DomainError) -> ServiceContract {
    try self.requireOpen(today: today)
    var new = self
    if let startsOn = amendment.startsOn, startsOn != self.startsOn {
      guard today < self.startsOn else {
        throw .invalidField("starts_on", "the contract began on \(self.startsOn); its first day no longer changes")
      }
      guard startsOn >= today else { throw .invalidField("starts_on", "must not be before today, \(today)") }
      new.startsOn = startsOn
    }
    if let endsOn = amendment.endsOn {
      guard endsOn >= today else { throw .invalidField("ends_on", "must not be before today, \(today); to stop a contract sooner, end it") }
      new.endsOn = endsOn
    }
    guard new.endsOn >= new.startsOn else { throw .invalidField("ends_on", "must not be before starts_on \(new.startsOn)") }
    if let itemCodes = amendment.itemCodes { new.itemCodes = itemCodes.sorted() }
    if let amountFen = amendment.amountFen { new.amountFen = amountFen }
    if let targets = amendment.targets { new.targets = targets }
    guard new != self else { throw .invalidField("amendment", "changes nothing: every term given equals the current one") }
    new.version += 1
    return new
  }

  /// What differs from `old`, one phrase per term ("ends_on 2026-12-31 → 2026-06-30").
  public func changes(from old: ServiceContract) -> [String] {
    var changes: [String] = []
    func note<Term: Equatable & CustomStringConvertible>(_ name: String, _ before: Term, _ after: Term) {
      if before != after { changes.append("\(name) \(before) → \(after)") }
    }
    let added = Set(self.itemCodes).subtracting(old.itemCodes).sorted()
    let removed = Set(old.itemCodes).subtracting(self.itemCodes).sorted()
    if !added.isEmpty || !removed.isEmpty {
      changes.append("item_codes" + added.map { " +\($0)" }.joined() + removed.map { " -\($0)" }.joined())
    }
    note("starts_on", old.startsOn, self.startsOn)
    note("ends_on", old.endsOn, self.endsOn)
    note("amount_fen", old.amountFen, self.amountFen)
    note("targets.tasks", old.targets.tasks, self.targets.tasks)
    note("targets.on_time_percent", old.targets.onTimePercent, self.targets.onTimePercent)
    note("targets.satisfied_percent", old.targets.satisfiedPercent, self.targets.satisfiedPercent)
    return changes
  }
}
