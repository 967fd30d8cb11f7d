import CivicProtos
import CivicWire
import CivicWireProtos
import NIOCore
import SwiftProtobuf

/// A CivicWire client that writes frames by hand over a `RawSocket`, to check how the
/// server treats peers that break the rules.
final class RawWireClient {
  let socket: RawSocket
  private var decoder = FrameDecoder(maxFrameSize: 1 << 24, expectPreface: true)
  private var pending = ByteBuffer()
  private var frames: [Frame] = []

  init(port: Int) throws {
    self.socket = try RawSocket(port: port)
  }

  /// Sends preface and SETTINGS and reads the server's preface, SETTINGS and ACK.
  func handshake() throws {
    var buffer = ByteBuffer()
    FrameEncoder.writePreface(into: &buffer)
    FrameEncoder.write(.settings, streamID: 0, message: Civicgrid_Wire_V1_Settings(), into: &buffer)
    self.socket.send(Array(buffer.readableBytesView))
    _ = try self.next(where: { $0.type == .settings && $0.flags.contains(.ack) })
  }

  func send(_ type: FrameType, flags: FrameFlags = [], stream: UInt32, message: some SwiftProtobuf.Message) {
    var buffer = ByteBuffer()
    FrameEncoder.write(type, flags: flags, streamID: stream, message: message, into: &buffer)
    self.socket.send(Array(buffer.readableBytesView))
  }

  func send(_ type: FrameType, flags: FrameFlags = [], stream: UInt32, payload: [UInt8] = []) {
    var buffer = ByteBuffer()
    FrameEncoder.write(type, flags: flags, streamID: stream, payload: ByteBuffer(bytes: payload), into: &buffer)
    self.socket.send(Array(buffer.readableBytesView))
  }

  func open(_ stream: UInt32, method: String = "/civicgrid.v1.Diagnostics/UnaryCall") {
    var headers = Civicgrid_Wire_V1_Headers()
    headers.method = method
    self.send(.headers, stream: stream, message: headers)
  }

  /// The next frame matching `predicate`, skipping others; nil when the server closes or
  /// goes quiet for the socket's receive timeout.
  func next(where predicate: (Frame) -> Bool = { _ in true }) throws -> Frame? {
    while true {
      if let index = self.frames.firstIndex(where: predicate) {
        return self.frames.remove(at: index)
      }
      let bytes = self.socket.receive()
      if bytes.isEmpty { return nil }
      self.pending.writeBytes(bytes)
      while let input = try self.decoder.decode(buffer: &self.pending) {
        if case .frame(let frame) = input { self.frames.append(frame) }
      }
    }
  }

  static func decode<M: SwiftProtobuf.Message>(_ type: M.Type, _ frame: Frame) throws -> M {
    try M(serializedBytes: Array(frame.payload.readableBytesView))
  }
}
