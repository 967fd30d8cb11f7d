/// A moment in time: whole seconds since 1970-01-01T00:00:00Z.
///
/// Deadlines and clocks work in whole seconds; sub-second precision would only make two
/// recomputations of the same deadline disagree.
public struct Instant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
  public let secondsSinceEpoch: Int

  public init(secondsSinceEpoch: Int) {
    self.secondsSinceEpoch = secondsSinceEpoch
  }

  public func adding(seconds: Int) -> Instant {
    Instant(secondsSinceEpoch: self.secondsSinceEpoch + seconds)
  }

  /// Seconds from `self` to `later` (negative when `later` is earlier).
  public func seconds(to later: Instant) -> Int {
    later.secondsSinceEpoch - self.secondsSinceEpoch
  }

  public static func < (lhs: Instant, rhs: Instant) -> Bool {
    lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
  }

  public var description: String { "@\(self.secondsSinceEpoch)" }
}
