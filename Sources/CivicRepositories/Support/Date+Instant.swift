public import CivicDomain
public import Foundation

extension Date {
  /// The same moment as `instant` (whole seconds): how an instant is bound where the store
  /// takes a `Date` (a `timestamptz` value, a COPY row).
  public init(_ instant: Instant) {
    self.init(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch))
  }
}
