import CivicDomain
import Foundation
import Synchronization

/// The time the sweeper and the supervision commands see, advanced by the test: never slept.
final class ScriptedClock: Sendable {
  private let instant: Mutex<Instant>

  init(_ start: Instant = Instant(secondsSinceEpoch: Int(Date().timeIntervalSince1970))) {
    self.instant = Mutex(start)
  }

  var now: Instant { self.instant.withLock { $0 } }

  func set(_ instant: Instant) { self.instant.withLock { $0 = instant } }

  func advance(seconds: Int) { self.instant.withLock { $0 = $0.adding(seconds: seconds) } }

  /// For `now:` parameters.
  var reader: @Sendable () -> Instant { { self.now } }
}
