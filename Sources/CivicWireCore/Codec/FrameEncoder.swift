public import NIOCore
public import SwiftProtobuf

/// Writes frames into a `ByteBuffer`: a 12-byte header, then the payload.
public enum FrameEncoder {
  /// Appends one frame with a raw payload.
  @inlinable
  public static func write(
    _ type: FrameType,
    flags: FrameFlags = [],
    streamID: UInt32,
    payload: ByteBuffer? = nil,
    into buffer: inout ByteBuffer
  ) {
    let length = payload?.readableBytes ?? 0
    buffer.reserveCapacity(minimumWritableBytes: Frame.headerLength + length)
    buffer.writeMultipleIntegers(UInt32(length), type.rawValue, flags.rawValue, UInt16(0), streamID)
    if var payload { buffer.writeBuffer(&payload) }
  }

  /// Appends one frame whose payload is a control message.
  public static func write(
    _ type: FrameType,
    flags: FrameFlags = [],
    streamID: UInt32,
    message: some SwiftProtobuf.Message,
    into buffer: inout ByteBuffer
  ) {
    // Serialising to bytes first keeps the length exact; control messages are small.
    let bytes: [UInt8] = (try? message.serializedBytes()) ?? []
    Self.write(type, flags: flags, streamID: streamID, bytes: bytes, into: &buffer)
  }

  /// Appends one frame whose payload is already serialised.
  public static func write(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, bytes: [UInt8], into buffer: inout ByteBuffer) {
    buffer.reserveCapacity(minimumWritableBytes: Frame.headerLength + bytes.count)
    buffer.writeMultipleIntegers(UInt32(bytes.count), type.rawValue, flags.rawValue, UInt16(0), streamID)
    buffer.writeBytes(bytes)
  }

  /// Appends the 8-byte preface.
  public static func writePreface(into buffer: inout ByteBuffer) {
    buffer.writeBytes(Preface.bytes)
  }
}
