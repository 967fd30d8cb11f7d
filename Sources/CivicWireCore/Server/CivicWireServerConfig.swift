public import NIOCore

/// Limits and timers of a CivicWire server (docs/PROTOCOL.md, section 6.3).
public struct CivicWireServerConfig: Sendable {
  /// The limits announced to clients in SETTINGS and enforced on what they send.
  public var settings: WireSettings
  /// Time a new connection has to send its preface and SETTINGS.
  public var handshakeTimeout: TimeAmount
  /// A connection with no open stream for this long is drained and closed.
  public var idleTimeout: TimeAmount
  /// How long a graceful drain waits for open streams before failing them.
  public var gracePeriod: TimeAmount
  /// PINGs closer together than this count a strike.
  public var minPingInterval: TimeAmount
  /// Strikes tolerated before GOAWAY ENHANCE_YOUR_CALM.
  public var maxPingStrikes: Int
  /// CANCELs tolerated per `cancelFloodWindow` before GOAWAY ENHANCE_YOUR_CALM.
  public var cancelFloodLimit: Int
  public var cancelFloodWindow: TimeAmount
  /// Run each connection's calls on the event loop that serves its socket (the default),
  /// instead of on Swift's global executor; handlers must then never block a thread.
  public var callsOnEventLoop: Bool = true

  /// 10 s handshake, 300 s idle, 30 s grace, 1 s ping interval with 2 strikes,
  /// 1,000 cancels per 10 s, and the protocol's default settings.
  public static var defaults: CivicWireServerConfig {
    CivicWireServerConfig(
      settings: .defaults,
      handshakeTimeout: .seconds(10),
      idleTimeout: .seconds(300),
      gracePeriod: .seconds(30),
      minPingInterval: .seconds(1),
      maxPingStrikes: 2,
      cancelFloodLimit: 1000,
      cancelFloodWindow: .seconds(10)
    )
  }
}
