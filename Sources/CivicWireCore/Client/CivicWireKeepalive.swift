public import NIOCore

/// Client keepalive: detects a dead server or path on an otherwise quiet connection.
public struct CivicWireKeepalive: Sendable, Hashable {
  /// Silence after which a PING is sent; keep it at or above the server's
  /// `min_ping_interval` (1 s) to stay clear of its strike policy.
  public var interval: TimeAmount
  /// Time allowed for the ACK before the connection is closed.
  public var timeout: TimeAmount

  public init(interval: TimeAmount, timeout: TimeAmount) {
    self.interval = interval
    self.timeout = timeout
  }
}
