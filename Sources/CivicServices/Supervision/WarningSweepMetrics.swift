import Foundation
import Metrics

/// What the lifecycle sweeper reports after each completed pass (docs/MONITORING.md): its
/// duration, the cases it examined, the levels it changed and when it completed, so an alert
/// can tell a sweep that stopped.
struct WarningSweepMetrics: Sendable {
  private let duration = Gauge(label: "civicgrid_sweep_duration_seconds")
  private let examined = Gauge(label: "civicgrid_sweep_cases_examined")
  private let changed = Counter(label: "civicgrid_sweep_levels_changed_total")
  private let completed = Gauge(label: "civicgrid_sweep_last_completed_timestamp_seconds")

  func record(_ pass: WarningSweeper.Pass, took elapsed: Duration) {
    let (seconds, attoseconds) = elapsed.components
    self.duration.record(Double(seconds) + Double(attoseconds) / 1e18)
    self.examined.record(pass.casesExamined)
    self.changed.increment(by: pass.changes)
    self.completed.record(Date().timeIntervalSince1970)
  }
}
