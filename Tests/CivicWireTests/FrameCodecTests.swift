import CivicWireProtos
import NIOCore
import NIOTestUtils
import Testing

@testable import CivicWireCore

@Suite("Frame codec", .timeLimit(.minutes(1)))
struct FrameCodecTests {
  static func frameBytes(_ type: FrameType, flags: FrameFlags = [], stream: UInt32, payload: [UInt8] = []) -> ByteBuffer {
    var buffer = ByteBuffer()
    FrameEncoder.write(type, flags: flags, streamID: stream, payload: ByteBuffer(bytes: payload), into: &buffer)
    return buffer
  }

  @Test("the header is 12 bytes, big-endian, as docs/PROTOCOL.md section 2 says")
  func headerLayout() {
    let buffer = Self.frameBytes(.message, flags: .more, stream: 0x0102_0304, payload: [0xAA, 0xBB])
    #expect(Array(buffer.readableBytesView) == [0, 0, 0, 2, 0x03, 0x01, 0, 0, 0x01, 0x02, 0x03, 0x04, 0xAA, 0xBB])
  }

  @Test("every frame type round-trips, fed whole, byte by byte and in chunks")
  func roundTrip() throws {
    let pairs: [(ByteBuffer, [WireInput])] = FrameType.allCases.enumerated().map { index, type in
      let payload = Array(repeating: UInt8(index), count: index * 7)
      let frame = Frame(type: type, flags: index % 2 == 0 ? [] : .ack, streamID: UInt32(index * 2 + 1), payload: ByteBuffer(bytes: payload))
      return (Self.frameBytes(type, flags: frame.flags, stream: frame.streamID, payload: payload), [.frame(frame)])
    }
    try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
      FrameDecoder(maxFrameSize: 65_536, expectPreface: false)
    }
  }

  @Test("the preface is consumed once, then frames follow")
  func prefaceThenFrames() throws {
    var input = ByteBuffer(bytes: Preface.bytes)
    input.writeImmutableBuffer(Self.frameBytes(.ping, stream: 0, payload: [1, 2]))
    var decoder = FrameDecoder(maxFrameSize: 1024)
    #expect(try decoder.decode(buffer: &input) == .preface(minorVersion: 0))
    #expect(try decoder.decode(buffer: &input) == .frame(Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [1, 2]))))
    #expect(try decoder.decode(buffer: &input) == nil)
    #expect(input.readableBytes == 0)
  }

  @Test("an oversize frame is rejected from its header, before the payload arrives")
  func oversizeRejectedEarly() {
    var decoder = FrameDecoder(maxFrameSize: 1024, expectPreface: false)
    var header = ByteBuffer()
    header.writeMultipleIntegers(UInt32(1025), FrameType.message.rawValue, UInt8(0), UInt16(0), UInt32(1))
    let error = #expect(throws: ConnectionError.self) { _ = try decoder.decode(buffer: &header) }
    #expect(error?.code == .frameSizeError)
    // Only the 12 header bytes were ever looked at.
    #expect(header.readableBytes == Frame.headerLength)
  }

  @Test("a frame at exactly max_frame_size is accepted")
  func exactLimitAccepted() throws {
    var decoder = FrameDecoder(maxFrameSize: 1024, expectPreface: false)
    var buffer = Self.frameBytes(.message, stream: 1, payload: Array(repeating: 7, count: 1024))
    let output = try decoder.decode(buffer: &buffer)
    guard case .frame(let frame) = output else { Issue.record("no frame"); return }
    #expect(frame.payload.readableBytes == 1024)
  }

  @Test("an unknown frame type is a PROTOCOL_ERROR", arguments: [UInt8(0x00), 0x0A, 0x7F, 0xFF])
  func unknownType(type: UInt8) {
    var decoder = FrameDecoder(maxFrameSize: 1024, expectPreface: false)
    var buffer = ByteBuffer()
    buffer.writeMultipleIntegers(UInt32(0), type, UInt8(0), UInt16(0), UInt32(1))
    #expect(throws: ConnectionError(.protocolError, "unknown frame type 0x\(String(type, radix: 16))")) {
      _ = try decoder.decode(buffer: &buffer)
    }
  }

  @Test("a partial frame waits for more bytes")
  func partialFrame() throws {
    var decoder = FrameDecoder(maxFrameSize: 1024, expectPreface: false)
    var buffer = Self.frameBytes(.message, stream: 1, payload: [1, 2, 3])
    var partial = buffer.readSlice(length: 13)!
    #expect(try decoder.decode(buffer: &partial) == nil)
  }

  @Test("the reserved stream-id bit is ignored")
  func reservedBitIgnored() throws {
    var decoder = FrameDecoder(maxFrameSize: 1024, expectPreface: false)
    var buffer = ByteBuffer()
    buffer.writeMultipleIntegers(UInt32(0), FrameType.halfClose.rawValue, UInt8(0), UInt16(0), UInt32(0x8000_0003))
    guard case .frame(let frame) = try decoder.decode(buffer: &buffer) else { Issue.record("no frame"); return }
    #expect(frame.streamID == 3)
  }
}

@Suite("Preface classification", .timeLimit(.minutes(1)))
struct PrefaceTests {
  @Test(
    "misdirected clients are recognised from their first bytes",
    arguments: [
      ("GET / HTTP/1.1\r\n", PrefaceError.httpRequest),
      ("POST /x HTTP/1.1\r\n", PrefaceError.httpRequest),
      ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", PrefaceError.httpRequest),
    ]
  )
  func http(text: String, expected: PrefaceError) {
    var decoder = FrameDecoder(maxFrameSize: 1024)
    var buffer = ByteBuffer(string: text)
    #expect(throws: expected) { _ = try decoder.decode(buffer: &buffer) }
  }

  @Test("a TLS ClientHello is named as such")
  func tls() {
    var decoder = FrameDecoder(maxFrameSize: 1024)
    var buffer = ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC])
    #expect(throws: PrefaceError.tlsClientHello) { _ = try decoder.decode(buffer: &buffer) }
  }

  @Test("another major version is UNSUPPORTED_VERSION; a newer minor version is accepted")
  func versions() throws {
    var decoder = FrameDecoder(maxFrameSize: 1024)
    var v2 = ByteBuffer(bytes: Preface.magic + [2, 0, 0, 0])
    #expect(throws: PrefaceError.unsupportedVersion(major: 2)) { _ = try decoder.decode(buffer: &v2) }
    #expect(PrefaceError.unsupportedVersion(major: 2).connectionError.code == .unsupportedVersion)

    var minor = ByteBuffer(bytes: Preface.magic + [1, 9, 0, 0])
    var fresh = FrameDecoder(maxFrameSize: 1024)
    #expect(try fresh.decode(buffer: &minor) == .preface(minorVersion: 9))
  }

  @Test("garbage is a PROTOCOL_ERROR; a short valid prefix waits")
  func garbage() throws {
    var decoder = FrameDecoder(maxFrameSize: 1024)
    var junk = ByteBuffer(bytes: [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07])
    #expect(throws: PrefaceError.garbage) { _ = try decoder.decode(buffer: &junk) }
    var short = ByteBuffer(bytes: [0x7F, 0x43])
    var fresh = FrameDecoder(maxFrameSize: 1024)
    #expect(try fresh.decode(buffer: &short) == nil)
  }
}
