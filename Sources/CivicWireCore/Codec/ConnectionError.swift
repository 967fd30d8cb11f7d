/// The error codes a GOAWAY frame carries (docs/PROTOCOL.md, section 2.7).
public enum GoAwayCode: UInt32, Sendable, Hashable {
  case noError = 0
  case protocolError = 1
  case internalError = 2
  case frameSizeError = 3
  case handshakeTimeout = 4
  case enhanceYourCalm = 5
  case idleTimeout = 6
  case unsupportedVersion = 7
}

/// A violation that ends a whole connection: the peer gets a GOAWAY with `code` and
/// `message`, then the connection closes. Other connections are never affected.
public struct ConnectionError: Error, Hashable, CustomStringConvertible {
  public var code: GoAwayCode
  public var message: String

  public init(_ code: GoAwayCode, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "\(self.code): \(self.message)" }
}
