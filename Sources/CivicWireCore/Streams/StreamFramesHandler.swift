internal import GRPCCore
internal import NIOCore

/// One open stream as a connection handler keeps it: what both ends need to take in its
/// MESSAGE frames.
protocol StreamFramesEntry {
  var assembler: MessageAssembler { get set }
  /// Hands a whole message of `bytes` bytes to the stream's reader, which reports them when it takes it.
  func deliver(_ message: WireBytes, bytes: Int)
}

/// The stream-frame handling client and server connection handlers share: MESSAGE
/// reassembly under flow control, window grants, and a stream's frames from the outbox.
/// Each end keeps its own way of failing a stream (TRAILERS from the server, CANCEL from
/// the client).
protocol StreamFramesHandler: AnyObject {
  associatedtype Entry: StreamFramesEntry
  var streams: [UInt32: Entry] { get set }
  /// "request" on the server, "response" on the client: names the message in errors.
  static var inboundMessageName: String { get }
  func write(_ buffer: ByteBuffer)
  /// Ends stream `id` with an error, telling the peer.
  func failStream(_ id: UInt32, _ code: Status.Code, _ message: String)
}

extension StreamFramesHandler {
  /// One MESSAGE frame: a fragment returns its window at once, a whole message goes to the
  /// reader, too much data fails the stream.
  func receiveMessage(_ frame: Frame, on id: UInt32) {
    guard var entry = self.streams[id] else { return }
    let step = entry.assembler.receive(frame.payload, more: frame.flags.contains(.more))
    self.streams[id] = entry
    switch step {
    case .failure(let violation):
      self.failStream(id, .resourceExhausted, violation.message(Self.inboundMessageName))
    case .success(.fragment(let grant)):
      if grant > 0 { self.writeWindowUpdate(id, increment: grant) }
    case .success(.message(let message, let bytes)):
      entry.deliver(WireBytes(message), bytes: bytes)
    }
  }

  /// A stream's frames from the outbox; dropped once the stream has ended.
  func writeFrames(of id: UInt32, head: ByteBuffer, payload: ByteBuffer?) {
    guard self.streams[id] != nil else { return }
    self.write(head)
    if let payload { self.write(payload) }
  }

  /// The stream's reader consumed `consumed` bytes: open the peer's window again by what
  /// was not granted ahead.
  func grant(_ id: UInt32, increment consumed: Int) {
    guard var entry = self.streams[id] else { return }
    let increment = entry.assembler.consumed(consumed)
    self.streams[id] = entry
    if increment > 0 { self.writeWindowUpdate(id, increment: increment) }
  }

  func writeWindowUpdate(_ id: UInt32, increment: Int) {
    self.write(ControlFrames.windowUpdate(streamID: id, increment: increment))
  }
}
