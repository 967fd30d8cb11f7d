internal import CivicWireProtos
internal import GRPCCore
internal import NIOCore

/// Builders for the control frames both ends send, so each is encoded in one place.
enum ControlFrames {
  static func goAway(lastStreamID: UInt32, code: GoAwayCode, message: String, into buffer: inout ByteBuffer) {
    var goAway = Civicgrid_Wire_V1_GoAway()
    goAway.lastStreamID = lastStreamID
    goAway.errorCode = code.rawValue
    goAway.message = message
    FrameEncoder.write(.goAway, streamID: 0, message: goAway, into: &buffer)
  }

  static func ping(opaque: UInt64, ack: Bool = false, into buffer: inout ByteBuffer) {
    var ping = Civicgrid_Wire_V1_Ping()
    ping.opaque = opaque
    FrameEncoder.write(.ping, flags: ack ? .ack : [], streamID: 0, message: ping, into: &buffer)
  }

  static func windowUpdate(streamID: UInt32, increment: Int) -> ByteBuffer {
    var update = Civicgrid_Wire_V1_WindowUpdate()
    update.increment = UInt32(increment)
    var buffer = ByteBuffer()
    FrameEncoder.write(.windowUpdate, streamID: streamID, message: update, into: &buffer)
    return buffer
  }

  static func trailers(streamID: UInt32, code: Status.Code, message: String, metadata: Metadata = [:]) -> ByteBuffer {
    var trailers = Civicgrid_Wire_V1_Trailers()
    trailers.code = UInt32(code.rawValue)
    trailers.message = message
    trailers.metadata = WireMetadata.encode(metadata)
    var buffer = ByteBuffer()
    FrameEncoder.write(.trailers, streamID: streamID, message: trailers, into: &buffer)
    return buffer
  }

  static func cancel(streamID: UInt32, code: Status.Code, message: String) -> ByteBuffer {
    var cancel = Civicgrid_Wire_V1_Cancel()
    cancel.code = UInt32(code.rawValue)
    cancel.message = message
    var buffer = ByteBuffer()
    FrameEncoder.write(.cancel, streamID: streamID, message: cancel, into: &buffer)
    return buffer
  }
}
