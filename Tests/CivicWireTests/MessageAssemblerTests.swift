import NIOCore
import Testing

@testable import CivicWireCore

@Suite("Message assembler", .timeLimit(.minutes(1)))
struct MessageAssemblerTests {
  @Test("a single-frame message is delivered whole, its bytes granted on consumption")
  func singleFrame() {
    var assembler = MessageAssembler(window: 100, maxMessageSize: 1000)
    let result = assembler.receive(ByteBuffer(bytes: [1, 2, 3]), more: false)
    #expect(result == .success(.message(ByteBuffer(bytes: [1, 2, 3]), unaccounted: 3)))
    #expect(assembler.window == 97)
    assembler.granted(3)
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
          .message(ByteBuffer(bytes: [UInt8](repeating: 1, count: 10) + [UInt8](repeating: 2, count: 10) + [3, 3]), unaccounted: 2)
        )
    )
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
    #expect(assembler.receive(ByteBuffer(), more: false) == .success(.message(ByteBuffer(), unaccounted: 0)))
  }
}
