public import NIOCore

/// The type byte of a CivicWire frame (docs/PROTOCOL.md, section 2).
public enum FrameType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
  case settings = 0x01
  case headers = 0x02
  case message = 0x03
  case trailers = 0x04
  case cancel = 0x05
  case windowUpdate = 0x06
  case ping = 0x07
  case goAway = 0x08
  case halfClose = 0x09

  /// The name used in docs/PROTOCOL.md and in error messages ("WINDOW_UPDATE").
  public var description: String {
    switch self {
    case .settings: return "SETTINGS"
    case .headers: return "HEADERS"
    case .message: return "MESSAGE"
    case .trailers: return "TRAILERS"
    case .cancel: return "CANCEL"
    case .windowUpdate: return "WINDOW_UPDATE"
    case .ping: return "PING"
    case .goAway: return "GOAWAY"
    case .halfClose: return "HALF_CLOSE"
    }
  }

  /// Whether frames of this type belong to the connection (stream 0) rather than a stream.
  public var isConnectionLevel: Bool {
    switch self {
    case .settings, .ping, .goAway: return true
    default: return false
    }
  }
}

/// Per-type flag bits. The same bit means different things for different types.
public struct FrameFlags: OptionSet, Sendable, Hashable {
  public var rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  /// SETTINGS and PING: this frame acknowledges the peer's.
  public static let ack = FrameFlags(rawValue: 0x01)
  /// MESSAGE: the message continues in the stream's next MESSAGE frame.
  public static let more = FrameFlags(rawValue: 0x01)
}

/// One decoded or to-be-encoded frame: the 12-byte header's fields and the payload.
public struct Frame: Sendable, Hashable {
  public static let headerLength = 12

  public var type: FrameType
  public var flags: FrameFlags
  public var streamID: UInt32
  public var payload: ByteBuffer

  public init(type: FrameType, flags: FrameFlags = [], streamID: UInt32, payload: ByteBuffer = ByteBuffer()) {
    self.type = type
    self.flags = flags
    self.streamID = streamID
    self.payload = payload
  }
}
