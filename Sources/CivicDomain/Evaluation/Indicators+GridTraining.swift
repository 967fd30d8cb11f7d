extension IndicatorSet {
  /// Indicator 17 of docs/METRICS.md: grid workers' training, attributed to the worker's grid.
  static func gridTrainingFigures(_ inputs: IndicatorInputs, for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> [Figure] {
    let rows = GridTrainingIndicator.trained(inputs.gridWorkers, sessions: inputs.trainingSessions, for: selector, in: window, asOf: asOf)
    return [rate(.gridTrainingRate, rows)]
  }
}
