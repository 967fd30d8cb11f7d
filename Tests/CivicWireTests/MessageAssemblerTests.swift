import NIOCore
import Testing

@testable import CivicWireCore

@Suite("Message assembler", .timeLimit(.minutes(1)))
struct MessageAssemblerTests {
  @Test("a single-frame message is delivered whole, its bytes granted on consumption")
  func singleFrame() {
    var assembler = MessageAssembler(window: 100, maxMessageSize: 1000)
    let result = assembler.receive(ByteBuffer(bytes: [1, 2, 3]), more: false)
    #expect(result == .success(.message(ByteBuffer(bytes: [1, 2, 3]), bytes: 3)))
    #expect(assembler.window == 97)
    #expect(assembler.consumed(3) == 3)
    #expect(assembler.window == 100)
  }

  @Test("fragments are granted at once, so a message larger than the window completes")
  func largerThanWindow() {
    var assembler = MessageAssembler(window: 10, maxMessageSize: 1000)
    var steps: [MessageAssembler.Step] = []
    for chunk in [[UInt8](repeating: 1, count: 10), [UInt8](repeating: 2, count: 10)] {
      guard case .success(let step) = assembler.receive(ByteBuffer(bytes: chunk), more: true) else {
        Issue.record("fragment refused")
        return
      }
      steps.append(step)
    }
    #expect(steps == [.fragment(grant: 10), .fragment(grant: 10)])
    let last = assembler.receive(ByteBuffer(bytes: [3, 3]), more: false)
    #expect(
      last
        == .success(
          .message(ByteBuffer(bytes: [UInt8](repeating: 1, count: 10) + [UInt8](repeating: 2, count: 10) + [3, 3]), bytes: 22)
        )
    )
    // Consuming the message repays the 20 bytes granted ahead and grants the final 2.
    #expect(assembler.consumed(22) == 2)
    #expect(assembler.window == 10)
    #expect(assembler.advanced == 0)
  }

  @Test("fragments past max_message_size + window granted ahead count against the window, bounding what is held")
  func advanceIsBounded() {
    // Window 10, messages up to 30: at most 40 bytes granted ahead, so at most 50 held unread.
    var assembler = MessageAssembler(window: 10, maxMessageSize: 30)
    #expect(assembler.advanceLimit == 40)
    var held = 0
    var refused = false
    // A peer sending 5-byte fragments and 1-byte ends, with nobody reading.
    outer: for _ in 0..<20 {
      for more in [true, true, false] {
        let chunk = ByteBuffer(bytes: [UInt8](repeating: 7, count: more ? 5 : 1))
        guard assembler.window >= chunk.readableBytes else { break outer }
        switch assembler.receive(chunk, more: more) {
        case .success: held += chunk.readableBytes
        case .failure: refused = true
        }
      }
    }
    #expect(!refused, "a peer keeping to the window is never refused")
    #expect(held <= 30 + 2 * 10, "held \(held) bytes")
    #expect(held > 30, "fragments were granted ahead, so more than one window arrived")
    #expect(assembler.window < 10)
    // The reader takes everything: the window is whole again and nothing is advanced.
    _ = assembler.consumed(held)
    #expect(assembler.window == 10)
    #expect(assembler.advanced == 0)
  }

  @Test("a message of max_message_size always completes through a small window")
  func largestMessageCompletes() {
    var assembler = MessageAssembler(window: 8, maxMessageSize: 100)
    var sent = 0
    while sent < 100 {
      let size = min(8, 100 - sent, assembler.window)
      #expect(size > 0, "the window closed at \(sent) bytes")
      if size == 0 { return }
      sent += size
      _ = assembler.receive(ByteBuffer(bytes: [UInt8](repeating: 1, count: size)), more: sent < 100)
    }
    #expect(sent == 100)
  }

  @Test("more than the window is a violation")
  func windowExceeded() {
    var assembler = MessageAssembler(window: 4, maxMessageSize: 1000)
    #expect(assembler.receive(ByteBuffer(bytes: [1, 2, 3, 4, 5]), more: false) == .failure(.windowExceeded))
  }

  @Test("fragments adding up past max_message_size are a violation")
  func tooLarge() {
    var assembler = MessageAssembler(window: 100, maxMessageSize: 8)
    _ = assembler.receive(ByteBuffer(bytes: [UInt8](repeating: 0, count: 6)), more: true)
    #expect(assembler.receive(ByteBuffer(bytes: [1, 2, 3]), more: false) == .failure(.messageTooLarge(limit: 8)))
    #expect(MessageAssembler.Violation.messageTooLarge(limit: 8).message("request") == "request message larger than 8 bytes")
  }

  @Test("an empty message is one empty frame")
  func empty() {
    var assembler = MessageAssembler(window: 0, maxMessageSize: 8)
    #expect(assembler.receive(ByteBuffer(), more: false) == .success(.message(ByteBuffer(), bytes: 0)))
  }
}
