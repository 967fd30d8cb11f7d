import CivicDomain

extension Instant {
  /// The instant as PostgreSQL's `timestamptz` input reads it, in UTC
  /// ("2026-12-07 09:56:25+00"): for a value that cannot pass through `to_timestamp`, such as
  /// a field of a `COPY` row.
  var timestampText: String {
    let days = self.secondsSinceEpoch.quotientAndRemainder(dividingBy: 86_400)
    let (day, second) = days.remainder < 0 ? (days.quotient - 1, days.remainder + 86_400) : days
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
    return "\(CivilDate(daysSinceEpoch: day)) \(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))+00"
  }
}
