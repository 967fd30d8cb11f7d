import CivicProtos
import CivicWire
import CivicWireProtos
import Dispatch
import NIOCore
import SwiftProtobuf

/// A CivicWire client that writes frames by hand over a `RawSocket`, to check how the
/// server treats peers that break the rules.
///
/// Unchecked Sendable: one test task uses it at a time; the async reads only move that use to
/// a Dispatch thread.
final class RawWireClient: @unchecked Sendable {
  let socket: RawSocket
  private var decoder = FrameDecoder(maxFrameSize: 1 << 24, expectPreface: true)
  private var pending = ByteBuffer()
  private var frames: [Frame] = []

  init(port: Int, receiveTimeoutMillis: Int = 2000) throws {
    self.socket = try RawSocket(port: port, receiveTimeoutMillis: receiveTimeoutMillis)
  }

  /// A client past the handshake (which never ACKs the server's SETTINGS).
  static func handshaken(port: Int, receiveTimeoutMillis: Int = 2000) throws -> RawWireClient {
    let client = try RawWireClient(port: port, receiveTimeoutMillis: receiveTimeoutMillis)
    try client.handshake()
    return client
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

  /// One whole request on `stream`: HEADERS, a MESSAGE, HALF_CLOSE, in one write.
  func call(_ stream: UInt32, method: String = "/civicgrid.v1.Diagnostics/UnaryCall", request: some SwiftProtobuf.Message) {
    var headers = Civicgrid_Wire_V1_Headers()
    headers.method = method
    var buffer = ByteBuffer()
    FrameEncoder.write(.headers, streamID: stream, message: headers, into: &buffer)
    FrameEncoder.write(.message, streamID: stream, message: request, into: &buffer)
    FrameEncoder.write(.halfClose, streamID: stream, into: &buffer)
    self.socket.send(Array(buffer.readableBytesView))
  }

  /// `next(where:)` on a Dispatch thread: the blocking read must not hold one of the few
  /// threads Swift concurrency runs the in-process server's handlers on, or a test waiting
  /// for a handler's answer starves it on a machine with few cores.
  func frame(where predicate: @escaping @Sendable (Frame) -> Bool = { _ in true }) async throws -> Frame? {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(with: Result { try self.next(where: predicate) })
      }
    }
  }

  /// Whether the server closes the connection within the receive timeout (off the
  /// concurrency threads, like `frame(where:)`).
  func closedByServer() async -> Bool {
    await withCheckedContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(returning: self.socket.waitForClose()) }
    }
  }

  /// The TRAILERS of `stream`, decoded; nil when none arrives.
  func trailers(of stream: UInt32) async throws -> Civicgrid_Wire_V1_Trailers? {
    guard let frame = try await self.frame(where: { $0.type == .trailers && $0.streamID == stream }) else { return nil }
    return try Self.decode(Civicgrid_Wire_V1_Trailers.self, frame)
  }

  /// The next GOAWAY, decoded; nil when none arrives.
  func goAway() async throws -> Civicgrid_Wire_V1_GoAway? {
    guard let frame = try await self.frame(where: { $0.type == .goAway }) else { return nil }
    return try Self.decode(Civicgrid_Wire_V1_GoAway.self, frame)
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
