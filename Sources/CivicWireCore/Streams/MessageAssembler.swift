internal import NIOCore

/// The receive side of one stream's messages: flow-control accounting and reassembly of
/// MESSAGE fragments (docs/PROTOCOL.md, sections 2.2 and 5). Pure: the connection
/// handlers feed it frames and act on what it returns.
///
/// A message larger than the window completes only if its fragments are granted before the
/// application takes it, so fragments (flag MORE) are granted on arrival, but only while the
/// bytes so granted ahead of consumption stay within `max_message_size + initial_window_size`;
/// past that they count against the window like any other bytes. Consumed bytes repay the
/// advance first. So what one stream holds unread is bounded by
/// `max_message_size + 2 × initial_window_size` however the peer cuts its messages.
struct MessageAssembler: Sendable {
  /// What one MESSAGE frame amounted to.
  enum Step: Equatable {
    /// A fragment (flag MORE) was stored; grant `grant` bytes back to the peer now (0 when
    /// the advance limit is reached: it is granted as the application consumes).
    case fragment(grant: Int)
    /// A whole message of `bytes` bytes, reported to `consumed(_:)` once the application
    /// takes it.
    case message(ByteBuffer, bytes: Int)
  }

  /// The frame breaks a limit; the stream fails with RESOURCE_EXHAUSTED.
  enum Violation: Error, Equatable {
    case windowExceeded
    case messageTooLarge(limit: Int)
  }

  /// Bytes the peer may still send before we grant more.
  private(set) var window: Int
  /// Fragment bytes granted on arrival and not yet repaid by consumption.
  private(set) var advanced = 0
  private let maxMessageSize: Int
  /// The most bytes granted ahead of consumption.
  let advanceLimit: Int
  private var partial: ByteBuffer?

  init(window: Int, maxMessageSize: Int) {
    self.window = window
    self.maxMessageSize = maxMessageSize
    self.advanceLimit = maxMessageSize + window
  }

  mutating func receive(_ payload: ByteBuffer, more: Bool) -> Result<Step, Violation> {
    let length = payload.readableBytes
    self.window -= length
    guard self.window >= 0 else { return .failure(.windowExceeded) }
    let sofar = self.partial?.readableBytes ?? 0
    guard sofar + length <= self.maxMessageSize else {
      return .failure(.messageTooLarge(limit: self.maxMessageSize))
    }
    var payload = payload
    if more {
      if self.partial == nil {
        self.partial = ByteBuffer()
        self.partial!.reserveCapacity(length * 2)
      }
      self.partial!.writeBuffer(&payload)
      guard self.advanced + length <= self.advanceLimit else { return .success(.fragment(grant: 0)) }
      self.advanced += length
      self.window += length
      return .success(.fragment(grant: length))
    }
    guard var message = self.partial else {
      return .success(.message(payload, bytes: length))
    }
    self.partial = nil
    message.writeBuffer(&payload)
    return .success(.message(message, bytes: sofar + length))
  }

  /// The application consumed `bytes` of whole messages; returns how many to grant the
  /// peer (what the advance does not already cover).
  mutating func consumed(_ bytes: Int) -> Int {
    let repaid = min(bytes, self.advanced)
    self.advanced -= repaid
    let grant = bytes - repaid
    self.window += grant
    return grant
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
