/// Hooks for metrics on a CivicWire server: connection and stream counts as they change.
public struct CivicWireServerObserver: Sendable {
  public var connectionOpened: @Sendable () -> Void
  public var connectionClosed: @Sendable () -> Void
  public var streamOpened: @Sendable () -> Void
  public var streamClosed: @Sendable () -> Void

  public init(
    connectionOpened: @escaping @Sendable () -> Void = {},
    connectionClosed: @escaping @Sendable () -> Void = {},
    streamOpened: @escaping @Sendable () -> Void = {},
    streamClosed: @escaping @Sendable () -> Void = {}
  ) {
    self.connectionOpened = connectionOpened
    self.connectionClosed = connectionClosed
    self.streamOpened = streamOpened
    self.streamClosed = streamClosed
  }

  public static var none: CivicWireServerObserver { CivicWireServerObserver() }
}
