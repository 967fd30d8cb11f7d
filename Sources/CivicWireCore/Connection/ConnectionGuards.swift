internal import NIOCore

/// The abuse guards of one server connection (docs/PROTOCOL.md, section 6.3): PING
/// strikes and the CANCEL flood limit. Pure: callers pass the time in.
struct ConnectionGuards: Sendable {
  var minPingInterval: TimeAmount
  var maxPingStrikes: Int
  var cancelFloodLimit: Int
  var cancelFloodWindow: TimeAmount

  private var lastPing: NIODeadline?
  private(set) var pingStrikes = 0
  private var cancelWindowStart: NIODeadline?
  private(set) var cancelsInWindow = 0

  init(minPingInterval: TimeAmount, maxPingStrikes: Int, cancelFloodLimit: Int, cancelFloodWindow: TimeAmount) {
    self.minPingInterval = minPingInterval
    self.maxPingStrikes = maxPingStrikes
    self.cancelFloodLimit = cancelFloodLimit
    self.cancelFloodWindow = cancelFloodWindow
  }

  /// Records a PING; false when the peer has now used up its strikes.
  mutating func pingReceived(at now: NIODeadline) -> Bool {
    defer { self.lastPing = now }
    if let last = self.lastPing, now - last < self.minPingInterval {
      self.pingStrikes += 1
    }
    return self.pingStrikes <= self.maxPingStrikes
  }

  /// A new stream shows the peer is doing real work: forgive its pings.
  mutating func streamOpened() {
    self.pingStrikes = 0
  }

  /// Records a CANCEL from the peer; false when it exceeds the flood limit.
  mutating func cancelReceived(at now: NIODeadline) -> Bool {
    if let start = self.cancelWindowStart, now - start < self.cancelFloodWindow {
      self.cancelsInWindow += 1
    } else {
      self.cancelWindowStart = now
      self.cancelsInWindow = 1
    }
    return self.cancelsInWindow <= self.cancelFloodLimit
  }
}
