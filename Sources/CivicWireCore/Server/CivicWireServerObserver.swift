/// Hooks for metrics on a CivicWire server: connection and stream counts as they change.
public struct CivicWireServerObserver: Sendable {
  public var connectionOpened: @Sendable () -> Void
  public var connectionClosed: @Sendable () -> Void
  public var streamOpened: @Sendable () -> Void
  public var streamClosed: @Sendable () -> Void
  /// A stream refused for the instance's limit on calls in flight (``InFlightLimit``), with
  /// its method's full name when the server serves it (nil: a name the client made up).
  public var callRefused: @Sendable (_ method: String?) -> Void

  public init(
    connectionOpened: @escaping @Sendable () -> Void = {},
    connectionClosed: @escaping @Sendable () -> Void = {},
    streamOpened: @escaping @Sendable () -> Void = {},
    streamClosed: @escaping @Sendable () -> Void = {},
    callRefused: @escaping @Sendable (_ method: String?) -> Void = { _ in }
  ) {
    self.connectionOpened = connectionOpened
    self.connectionClosed = connectionClosed
    self.streamOpened = streamOpened
    self.streamClosed = streamClosed
    self.callRefused = callRefused
  }

  public static var none: CivicWireServerObserver { CivicWireServerObserver() }
}
