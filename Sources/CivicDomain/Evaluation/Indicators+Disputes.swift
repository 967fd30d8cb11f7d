extension IndicatorSet {
  /// Indicators 12–13 of docs/METRICS.md: disputes, attributed to their intake unit.
  static func disputeFigures(_ inputs: IndicatorInputs, for selector: UnitSelector, in window: Range<Instant>, asOf: Instant) -> [Figure] {
    [
      rate(.disputeResolutionRate, DisputeIndicators.resolutionRate(inputs.disputeClosings, for: selector, in: window, asOf: asOf).drill),
      rate(
        .agreementFulfilmentRate,
        DisputeIndicators.fulfilmentRate(inputs.disputeFollowUps, for: selector, in: window, asOf: asOf).drill
      ),
    ]
  }
}
