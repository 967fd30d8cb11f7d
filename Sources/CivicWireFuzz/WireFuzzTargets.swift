import CivicWireCore
import Logging
import NIOCore
import NIOEmbedded

/// The inputs fuzzed (ops/fuzz, docs/PROTOCOL.md, docs/RELIABILITY.md): each runs one input to the end
/// and must return, whatever the bytes, without a crash or a sanitizer report. A thrown
/// error is a refusal, which is allowed; only a trap or a sanitizer finding fails.
enum WireFuzzTarget: String, CaseIterable {
  /// The frame decoder fed the input in chunks whose sizes come from the input itself.
  case frames
  /// A server connection (`ServerConnectionHandler` on an `EmbeddedChannel`) fed the input
  /// as one whole client session, its timers then run out: the preface, the handshake, the
  /// stream state machines, message assembly and flow control, PING and CANCEL guards.
  case server
  /// One rpc's request message decoded and checked as a call would before its handler
  /// (``RequestFuzzTarget``): every service's requests, the method named by the input.
  case requests

  func run(_ input: UnsafeRawBufferPointer) {
    switch self {
    case .frames: Self.decodeFrames(input)
    case .server: Self.serveSession(input)
    case .requests: RequestFuzzTarget.run(input)
    }
  }

  private static func decodeFrames(_ input: UnsafeRawBufferPointer) {
    guard let first = input.first else { return }
    var decoder = FrameDecoder(maxFrameSize: 1 << 16, expectPreface: first & 1 == 1)
    // Chunks of 1…16 bytes, so a frame split anywhere is decoded as it arrives.
    let chunk = Int(first >> 4) + 1
    var buffer = ByteBuffer()
    var offset = 1
    while offset < input.count {
      let end = min(offset + chunk, input.count)
      buffer.writeBytes(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
      offset = end
      do {
        while try decoder.decode(buffer: &buffer) != nil {}
      } catch {
        return  // the connection would close here
      }
    }
    _ = try? decoder.decodeLast(buffer: &buffer, seenEOF: true)
  }

  private static func serveSession(_ input: UnsafeRawBufferPointer) {
    let handler = ServerConnectionHandler(
      config: .defaults,
      observer: .none,
      logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }),
      onStream: { _ in },
      onClose: {}
    )
    let channel = EmbeddedChannel(handler: handler)
    _ = try? channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40_000)).wait()
    _ = try? channel.writeInbound(ByteBuffer(bytes: input))
    while (try? channel.readOutbound(as: ByteBuffer.self)) != nil {}
    // Handshake, idle and grace timers fire; the connection then closes.
    channel.embeddedEventLoop.advanceTime(by: .minutes(10))
    while (try? channel.readOutbound(as: ByteBuffer.self)) != nil {}
    _ = try? channel.finish(acceptAlreadyClosed: true)
  }
}
