extension IndicatorSet {
  /// Indicators 14–16 of docs/METRICS.md: field events, attributed to their grid.
  static func fieldEventFigures(_ inputs: IndicatorInputs, for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> [Figure] {
    let reported = FieldEventIndicators.reported(inputs.fieldEvents, for: selector, in: window, asOf: asOf)
    return [
      Figure(
        indicator: .fieldEventCount, numerator: Double(reported.count), denominator: reported.count, value: Double(reported.count),
        drill: reported
      ),
      rate(.fieldEventOnTimeRate, FieldEventIndicators.onTime(inputs.fieldEvents, for: selector, in: window, asOf: asOf)),
      rate(.fieldEventSelfHandledShare, FieldEventIndicators.selfHandled(inputs.fieldEvents, for: selector, in: window, asOf: asOf)),
    ]
  }
}
