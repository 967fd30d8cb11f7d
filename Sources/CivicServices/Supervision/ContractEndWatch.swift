public import CivicDomain
import CivicRepositories
public import CivicStore

/// Tells a purchasing unit, `noticeWorkingDays` working days ahead, that a contract covering a
/// published catalogue item at its organisation ends with no other contract after it, so the
/// item's intake is about to be suspended (docs/CONTRACTS.md, "When a contract ends"): one
/// `contractEnding` alert per contract, item and last day, recorded in `contract_end_notices`
/// in the same transaction as the alert. The sweeper calls `pass` on each of its passes; tests
/// call it on scripted time.
public struct ContractEndWatch: Sendable {
  let store: StorePool
  let noticeWorkingDays: Int

  /// `noticeWorkingDays` ≥ 1 (the sweeper does not run it at 0).
  public init(store: StorePool, noticeWorkingDays: Int) {
    self.store = store
    self.noticeWorkingDays = max(1, noticeWorkingDays)
  }

  /// One pass at `now`; answers how many alerts it raised.
  @discardableResult
  public func pass(at now: Instant) async throws -> Int {
    try await self.store.transaction { connection in
      let calendar = try await CalendarStore.require(CalendarStore.defaultJurisdiction, on: connection).calendar
      let today = calendar.localDate(of: now)
      let horizon = try ContractEndNotice.horizon(from: today, workingDays: self.noticeWorkingDays, in: calendar)
      let contracts = ContractRepository(connection)
      let endings = try await contracts.endingCoverage(from: today, through: horizon)
      // Every ending's organisation and item in one statement.
      var dispatched: [String: [String]] = [:]
      for ending in endings { dispatched[ending.itemCode, default: []].append(ending.organisationCode) }
      let coverage = try await contracts.coverage(dispatched)
      let due = endings.filter { ending in
        ContractEndNotice.leavesUncovered(
          itemCode: ending.itemCode, at: ending.organisationCode, after: ending.endsOn,
          among: coverage[ending.itemCode]?[ending.organisationCode] ?? []
        )
      }
      let alerts = try await contracts.recordEndNotices(due, at: now).map { ending in
        PendingAlert(
          kind: .contractEnding,
          caseID: nil,
          unitID: ending.purchaserID,
          unitPath: ending.purchaserPath,
          summary: ContractEndNotice.summary(
            contractID: ending.contractID, organisationCode: ending.organisationCode, itemCode: ending.itemCode,
            itemVersion: ending.itemVersion, endsOn: ending.endsOn
          ),
          at: now
        )
      }
      try await AlertWriter.append(alerts, on: connection)
      return alerts.count
    }
  }
}
