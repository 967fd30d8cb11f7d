public import NIOCore

/// What the decoder produces: the peer's preface once, then frames.
public enum WireInput: Sendable, Hashable {
  case preface(minorVersion: UInt8)
  case frame(Frame)
}

/// Decodes the preface and then CivicWire frames from a byte stream.
///
/// Limits are checked from the 12-byte header alone, so an oversize or unknown frame is
/// rejected before any of its payload is buffered.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
  public typealias InboundOut = WireInput

  /// Largest payload accepted; the local `max_frame_size` setting.
  public var maxFrameSize: Int
  private var expectingPreface: Bool

  public init(maxFrameSize: Int, expectPreface: Bool = true) {
    self.maxFrameSize = maxFrameSize
    self.expectingPreface = expectPreface
  }

  public mutating func decode(buffer: inout ByteBuffer) throws -> WireInput? {
    if self.expectingPreface {
      return try self.decodePreface(buffer: &buffer)
    }
    guard buffer.readableBytes >= Frame.headerLength else { return nil }
    let start = buffer.readerIndex
    // The header is read in place; nothing is consumed until the whole frame is here.
    guard let length = buffer.getInteger(at: start, as: UInt32.self),
      let typeByte = buffer.getInteger(at: start + 4, as: UInt8.self),
      let flags = buffer.getInteger(at: start + 5, as: UInt8.self),
      let rawStreamID = buffer.getInteger(at: start + 8, as: UInt32.self)
    else { return nil }

    guard let type = FrameType(rawValue: typeByte) else {
      throw ConnectionError(.protocolError, "unknown frame type 0x\(String(typeByte, radix: 16))")
    }
    guard Int(length) <= self.maxFrameSize else {
      throw ConnectionError(
        .frameSizeError,
        "\(type) frame of \(length) bytes exceeds max_frame_size \(self.maxFrameSize)"
      )
    }
    guard buffer.readableBytes >= Frame.headerLength + Int(length) else { return nil }
    buffer.moveReaderIndex(forwardBy: Frame.headerLength)
    let payload = buffer.readSlice(length: Int(length))!
    // The top bit is reserved; receivers ignore it.
    let streamID = rawStreamID & 0x7FFF_FFFF
    return .frame(Frame(type: type, flags: FrameFlags(rawValue: flags), streamID: streamID, payload: payload))
  }

  public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> WireInput? {
    try self.decode(buffer: &buffer)
  }

  private mutating func decodePreface(buffer: inout ByteBuffer) throws -> WireInput? {
    switch Preface.classify(buffer) {
    case .needMoreBytes:
      return nil
    case .valid(let minor):
      buffer.moveReaderIndex(forwardBy: Preface.length)
      self.expectingPreface = false
      return .preface(minorVersion: minor)
    case .httpRequest:
      throw PrefaceError.httpRequest
    case .tlsClientHello:
      throw PrefaceError.tlsClientHello
    case .unsupportedVersion(let major):
      throw PrefaceError.unsupportedVersion(major: major)
    case .garbage:
      throw PrefaceError.garbage
    }
  }
}

/// The connection did not start with a CivicWire preface.
public enum PrefaceError: Error, Hashable, CustomStringConvertible {
  case httpRequest
  case tlsClientHello
  case unsupportedVersion(major: UInt8)
  case garbage

  /// The GOAWAY this answers with (HTTP requests get an HTTP 400 instead).
  public var connectionError: ConnectionError {
    switch self {
    case .httpRequest:
      return ConnectionError(.protocolError, "bad preface: looks like an HTTP request; this port speaks CivicWire")
    case .tlsClientHello:
      return ConnectionError(.protocolError, "bad preface: looks like a TLS ClientHello; this CivicWire listener is plaintext (no tls_cert)")
    case .unsupportedVersion(let major):
      return ConnectionError(.unsupportedVersion, "bad preface: CivicWire major version \(major) is not supported (1)")
    case .garbage:
      return ConnectionError(.protocolError, "bad preface: expected 7F 43 47 57 01 00 00 00")
    }
  }

  public var description: String { self.connectionError.message }
}
