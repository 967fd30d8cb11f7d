public import CivicDomain
import CivicRepositories
public import CivicStore
import Foundation
public import Logging

/// Raises a `targetMissed` alert when a unit's running figure for the open month falls short
/// of its target (docs/SUPERVISION.md, "Target alerts"), once per unit, indicator and month:
/// `target_alerts` records each one raised, in the same transaction as the alert.
///
/// The figures are the subtree figures the assessment reads, computed as GetMetrics computes
/// them; an indicator not applicable yet (nothing in its denominator) raises nothing. The
/// sweeper runs a check every `WarningSweeper.Configuration.targetInterval`.
public struct TargetWatch: Sendable {
  let store: StorePool
  let now: @Sendable () -> Instant
  let logger: Logger

  public init(store: StorePool, logger: Logger, now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.logger = logger
    self.now = now
  }

  /// Checks the month containing `now()`; returns how many alerts it raised.
  @discardableResult
  public func check() async throws -> Int {
    let now = self.now()
    return try await self.store.transaction { connection in
      guard let targets = try await TargetRepository(connection).current()?.document, !targets.targets.isEmpty else { return 0 }
      let calendar = try await CalendarStore.require(EvaluationService.jurisdiction, on: connection).calendar
      let period = Period(.month, containing: calendar.localDate(of: now))
      let window = period.start(in: calendar)..<period.end(in: calendar)
      let units = try await UnitRepository(connection).all()
      let inputs = try await IndicatorGathering.inputs(UnitScope.everything.sqlRange, window: window, on: connection)
      var misses: [(unit: UnitRecord, miss: IndicatorTargets.Miss)] = []
      for unit in units {
        let figures = IndicatorSet.compute(inputs, for: UnitSelector(path: unit.path, subtree: true), in: window, asOf: now)
        misses += targets.misses(figures).map { (unit, $0) }
      }
      let raised = try await TargetRepository(connection).recordAlerts(
        period: period.description,
        misses.map { (unitID: $0.unit.id, indicator: $0.miss.target.indicator.rawValue) },
        at: now
      )
      let new = Set(raised.map { "\($0.unitID)/\($0.indicator)" })
      let alerts = misses.filter { new.contains("\($0.unit.id)/\($0.miss.target.indicator.rawValue)") }.map { entry in
        PendingAlert(
          kind: .targetMissed,
          caseID: nil,
          unitID: entry.unit.id,
          unitPath: entry.unit.path,
          summary: "\(entry.unit.code) \(period): \(entry.miss.target.indicator.title) \(entry.miss.figure.display), "
            + "target \(entry.miss.target.display) (\(Int(entry.miss.figure.numerator))/\(entry.miss.figure.denominator))",
          at: now
        )
      }
      try await AlertWriter.append(alerts, on: connection)
      if !alerts.isEmpty {
        self.logger.info("target alerts", metadata: ["targets.alerts": "\(alerts.count)", "targets.period": "\(period)"])
      }
      return alerts.count
    }
  }
}
