internal import NIOCore

/// The receive side of one stream's messages: flow-control accounting and reassembly of
/// MESSAGE fragments (docs/PROTOCOL.md, sections 2.2 and 5). Pure: the connection
/// handlers feed it frames and act on what it returns.
struct MessageAssembler: Sendable {
  /// What one MESSAGE frame amounted to.
  enum Step: Equatable {
    /// A fragment (flag MORE) was stored; grant its bytes back to the peer now, or a
    /// message larger than the window could never complete.
    case fragment(grant: Int)
    /// A whole message; `unaccounted` bytes are granted once the application takes it.
    case message(ByteBuffer, unaccounted: Int)
  }

  /// The frame breaks a limit; the stream fails with RESOURCE_EXHAUSTED.
  enum Violation: Error, Equatable {
    case windowExceeded
    case messageTooLarge(limit: Int)
  }

  /// Bytes the peer may still send before we grant more.
  private(set) var window: Int
  private let maxMessageSize: Int
  private var partial: ByteBuffer?

  init(window: Int, maxMessageSize: Int) {
    self.window = window
    self.maxMessageSize = maxMessageSize
  }

  mutating func receive(_ payload: ByteBuffer, more: Bool) -> Result<Step, Violation> {
    let length = payload.readableBytes
    self.window -= length
    guard self.window >= 0 else { return .failure(.windowExceeded) }
    guard (self.partial?.readableBytes ?? 0) + length <= self.maxMessageSize else {
      return .failure(.messageTooLarge(limit: self.maxMessageSize))
    }
    var payload = payload
    if more {
      if self.partial == nil {
        self.partial = ByteBuffer()
        self.partial!.reserveCapacity(length * 2)
      }
      self.partial!.writeBuffer(&payload)
      // Bounded by max_message_size, so granting now cannot make us buffer without limit.
      self.window += length
      return .success(.fragment(grant: length))
    }
    guard var message = self.partial else {
      return .success(.message(payload, unaccounted: length))
    }
    self.partial = nil
    message.writeBuffer(&payload)
    return .success(.message(message, unaccounted: length))
  }

  /// The application consumed `bytes`; we are about to grant them.
  mutating func granted(_ bytes: Int) {
    self.window += bytes
  }
}

extension MessageAssembler.Violation {
  /// The status message sent to the peer; `direction` is "request" or "response".
  func message(_ direction: String) -> String {
    switch self {
    case .windowExceeded: return "MESSAGE exceeds the stream's flow-control window"
    case .messageTooLarge(let limit): return "\(direction) message larger than \(limit) bytes"
    }
  }
}

/// Splits an outgoing message into MESSAGE frames that fit the peer's frame size and the
/// stream's send window, waiting for window when there is none.
enum MessageFramer {
  /// Frames `payload` on `streamID`; `emit` receives each frame as a header buffer (which
  /// starts with `leading`, if any, for the first frame) and an optional payload slice.
  static func write(
    _ payload: ByteBuffer,
    streamID: UInt32,
    maxFrameSize: Int,
    window: SendWindow,
    leading: ByteBuffer?,
    emit: (_ head: ByteBuffer, _ payload: ByteBuffer?) -> Void
  ) async throws {
    var head = leading ?? ByteBuffer()
    var payload = payload
    guard payload.readableBytes > 0 else {
      FrameEncoder.write(.message, streamID: streamID, into: &head)
      emit(head, nil)
      return
    }
    while payload.readableBytes > 0 {
      let granted = try await window.acquire(upTo: min(payload.readableBytes, maxFrameSize))
      var fragment = payload.readSlice(length: granted)!
      let flags: FrameFlags = payload.readableBytes > 0 ? .more : []
      head.writeMultipleIntegers(UInt32(granted), FrameType.message.rawValue, flags.rawValue, UInt16(0), streamID)
      if granted <= 1024 {
        // Small payloads are copied so the frame leaves in a single buffer.
        head.writeBuffer(&fragment)
        emit(head, nil)
      } else {
        emit(head, fragment)
      }
      head = ByteBuffer()
    }
  }
}
