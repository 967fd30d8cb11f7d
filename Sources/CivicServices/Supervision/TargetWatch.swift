public import CivicDomain
import CivicRepositories
public import CivicStore
import Foundation
public import Logging
import Synchronization

/// Raises a `targetMissed` alert when a unit's running figure for the open month falls short
/// of its target (docs/SUPERVISION.md, "Target alerts"), once per unit, indicator and month:
/// `target_alerts` records each one raised, in the same transaction as the alert.
///
/// The figures are the subtree figures the assessment reads, computed as GetMetrics computes
/// them; an indicator not applicable yet (nothing in its denominator) raises nothing. The
/// sweeper runs a check every `WarningSweeper.Configuration.targetInterval`. A check recomputes
/// only what may have changed since the previous one (`TargetCheckPlan`): every unit at most
/// every `fullEvery`, in between the units above the cases with new events, nothing when there
/// are none. A full check keeps the facts it gathered; a later check reads again only the case
/// facts of the cases with new events (the bulk of the facts) and the smaller kinds in full, so
/// its figures equal a full check's.
public final class TargetWatch: Sendable {
  /// What one check did.
  public struct Check: Sendable, Hashable {
    public var scope: TargetCheckPlan.Scope
    /// Units whose figures were computed.
    public var units: Int
    /// Alerts raised.
    public var raised: Int
    /// The figures computed, by unit path.
    public var figures: [String: [Figure]]
  }

  /// What the last check saw and gathered.
  struct Memory: Sendable {
    var watermark: TargetCheckPlan.Watermark
    /// The units' paths by id: a unit moved or added makes the next check full.
    var unitPaths: [Int64: String]
    var inputs: IndicatorInputs
  }

  let store: StorePool
  let now: @Sendable () -> Instant
  let logger: Logger
  let fullEverySeconds: Int
  /// What the last check saw; nil before the first (and after a failed one, so the next is full).
  private let memory = Mutex<Memory?>(nil)

  /// `fullEvery`: how long figures may go without a full recomputation (1 hour by default).
  public init(store: StorePool, logger: Logger, fullEvery: Duration = .seconds(3600), now: @escaping @Sendable () -> Instant) {
    self.store = store
    self.logger = logger
    self.now = now
    self.fullEverySeconds = Int(fullEvery.components.seconds)
  }

  /// Checks the month containing `now()`; returns how many alerts it raised.
  @discardableResult
  public func check() async throws -> Int { try await self.run().raised }

  /// Checks the month containing `now()`, recomputing what the plan says.
  public func run() async throws -> Check {
    let now = self.now()
    let memory = self.memory.withLock { memory in
      defer { memory = nil }
      return memory
    }
    let (check, next) = try await self.store.transaction { connection -> (Check, Memory?) in
      guard let targets = try await TargetRepository(connection).current()?.document, !targets.targets.isEmpty else {
        return (Check(scope: .nothing, units: 0, raised: 0, figures: [:]), nil)
      }
      let calendar = try await CalendarStore.require(EvaluationService.jurisdiction, on: connection).calendar
      let period = Period(.month, containing: calendar.localDate(of: now))
      let changes = IndicatorRepository(connection)
      var units = try await UnitRepository(connection).all()
      let unitPaths = Dictionary(units.map { ($0.id, $0.path) }, uniquingKeysWith: { first, _ in first })
      let plan = TargetCheckPlan(
        previous: memory.flatMap { $0.unitPaths == unitPaths ? $0.watermark : nil }, period: period.description,
        targetsVersion: targets.version, eventSequence: try await changes.latestEventSequence(), now: now,
        fullEverySeconds: self.fullEverySeconds
      )
      let window = period.start(in: calendar)..<period.end(in: calendar)
      let inputs: IndicatorInputs
      switch plan.scope {
      case .nothing:
        let kept = memory.map { Memory(watermark: plan.watermark, unitPaths: unitPaths, inputs: $0.inputs) }
        return (Check(scope: plan.scope, units: 0, raised: 0, figures: [:]), kept)
      case .everything:
        inputs = try await IndicatorGathering.inputs(UnitScope.everything.sqlRange, window: window, on: connection)
      case .changedSince(let sequence):
        let touched = try await changes.unitPathsTouched(after: sequence, upTo: plan.watermark.eventSequence)
        let chosen = TargetCheckPlan.units(units.map(\.path), above: touched)
        units = units.filter { chosen.contains($0.path) }
        let changed = try await changes.casesChanged(after: sequence, upTo: plan.watermark.eventSequence)
        inputs = try await IndicatorGathering.refreshed(memory!.inputs, changed: changed, window: window, on: connection)
      }
      let (raised, figures) = try await self.alert(units, targets, inputs, period: period, window: window, now: now, on: connection)
      let check = Check(scope: plan.scope, units: units.count, raised: raised, figures: figures)
      return (check, Memory(watermark: plan.watermark, unitPaths: unitPaths, inputs: inputs))
    }
    self.memory.withLock { $0 = next }
    return check
  }

  /// Computes `units`' subtree figures and raises an alert for each miss not alerted before.
  private func alert(
    _ units: [UnitRecord], _ targets: IndicatorTargets, _ inputs: IndicatorInputs, period: Period, window: Range<Instant>, now: Instant,
    on connection: StoreConnection
  ) async throws -> (raised: Int, figures: [String: [Figure]]) {
    guard !units.isEmpty else { return (0, [:]) }
    var misses: [(unit: UnitRecord, miss: IndicatorTargets.Miss)] = []
    var computed: [String: [Figure]] = [:]
    let byUnit = IndicatorInputsByUnit(inputs)
    for unit in units {
      let selector = UnitSelector(path: unit.path, subtree: true)
      let figures = IndicatorSet.compute(byUnit.inputs(for: selector), for: selector, in: window, asOf: now)
      computed[unit.path] = figures
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
    return (alerts.count, computed)
  }
}
