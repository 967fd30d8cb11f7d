internal import CivicWireProtos

/// The limits one peer announces in its SETTINGS frame (docs/PROTOCOL.md, section 1.2).
public struct WireSettings: Sendable, Hashable {
  /// Largest frame payload this peer accepts.
  public var maxFrameSize: Int
  /// Largest reassembled message this peer accepts.
  public var maxMessageSize: Int
  /// Largest HEADERS or TRAILERS payload this peer accepts.
  public var maxMetadataSize: Int
  /// Streams the peer may keep open at once.
  public var maxConcurrentStreams: Int
  /// Starting send window the peer gets on every stream.
  public var initialWindowSize: Int

  /// The protocol's defaults: 64 KiB frames, 4 MiB messages, 8 KiB metadata, 100 streams,
  /// 256 KiB windows.
  public static var defaults: WireSettings {
    WireSettings(
      maxFrameSize: 65_536,
      maxMessageSize: 4 * 1024 * 1024,
      maxMetadataSize: 8 * 1024,
      maxConcurrentStreams: 100,
      initialWindowSize: 256 * 1024
    )
  }

  public init(maxFrameSize: Int, maxMessageSize: Int, maxMetadataSize: Int, maxConcurrentStreams: Int, initialWindowSize: Int) {
    self.maxFrameSize = maxFrameSize
    self.maxMessageSize = maxMessageSize
    self.maxMetadataSize = maxMetadataSize
    self.maxConcurrentStreams = maxConcurrentStreams
    self.initialWindowSize = initialWindowSize
  }

  var message: Civicgrid_Wire_V1_Settings {
    var settings = Civicgrid_Wire_V1_Settings()
    settings.maxFrameSize = UInt32(self.maxFrameSize)
    settings.maxMessageSize = UInt32(self.maxMessageSize)
    settings.maxMetadataSize = UInt32(self.maxMetadataSize)
    settings.maxConcurrentStreams = UInt32(self.maxConcurrentStreams)
    settings.initialWindowSize = UInt32(self.initialWindowSize)
    settings.userAgent = "civicwire-swift/1.0"
    return settings
  }

  /// The peer's settings from its SETTINGS message; zero fields take the defaults.
  init(received message: Civicgrid_Wire_V1_Settings) throws(ConnectionError) {
    let defaults = WireSettings.defaults
    func value(_ raw: UInt32, _ fallback: Int) -> Int { raw == 0 ? fallback : Int(raw) }
    self.maxFrameSize = value(message.maxFrameSize, defaults.maxFrameSize)
    self.maxMessageSize = value(message.maxMessageSize, defaults.maxMessageSize)
    self.maxMetadataSize = value(message.maxMetadataSize, defaults.maxMetadataSize)
    self.maxConcurrentStreams = value(message.maxConcurrentStreams, defaults.maxConcurrentStreams)
    self.initialWindowSize = value(message.initialWindowSize, defaults.initialWindowSize)
    guard (1024...16_777_215).contains(self.maxFrameSize) else {
      throw ConnectionError(.protocolError, "SETTINGS max_frame_size \(self.maxFrameSize) outside 1024..16777215")
    }
    guard self.initialWindowSize <= Int(Int32.max) else {
      throw ConnectionError(.protocolError, "SETTINGS initial_window_size \(self.initialWindowSize) above 2^31-1")
    }
    guard message.userAgent.utf8.count <= 256 else {
      throw ConnectionError(.protocolError, "SETTINGS user_agent longer than 256 bytes")
    }
  }
}
