public import NIOCore

/// The 8-byte preface both peers send first (docs/PROTOCOL.md, section 1.1).
public enum Preface {
  public static let length = 8
  public static let magic: [UInt8] = [0x7F, 0x43, 0x47, 0x57]
  public static let majorVersion: UInt8 = 1
  public static let minorVersion: UInt8 = 0
  public static let bytes: [UInt8] = magic + [majorVersion, minorVersion, 0, 0]

  /// What the first bytes on a connection turned out to be.
  public enum Verdict: Sendable, Equatable {
    case valid(minor: UInt8)
    case needMoreBytes
    case httpRequest
    case tlsClientHello
    case unsupportedVersion(major: UInt8)
    case garbage
  }

  /// Classifies the start of `buffer` without consuming it.
  ///
  /// HTTP and TLS are recognised from their first bytes so that a misdirected client gets
  /// an answer it can show its user instead of a silent close.
  public static func classify(_ buffer: ByteBuffer) -> Verdict {
    let available = buffer.readableBytes
    guard let head = buffer.getBytes(at: buffer.readerIndex, length: min(available, Self.length)) else {
      return .needMoreBytes
    }
    let magicSeen = head.prefix(Self.magic.count)
    if Array(magicSeen) == Array(Self.magic.prefix(magicSeen.count)) {
      guard head.count >= Self.length else { return .needMoreBytes }
      let major = head[4]
      return major == Self.majorVersion ? .valid(minor: head[5]) : .unsupportedVersion(major: major)
    }
    if head.count >= 2, head[0] == 0x16, head[1] == 0x03 { return .tlsClientHello }
    let httpMethods = ["GET ", "POST", "PUT ", "HEAD", "PRI ", "DELE", "OPTI", "PATC", "CONN"]
    if head.count >= 4, httpMethods.contains(String(decoding: head.prefix(4), as: UTF8.self)) {
      return .httpRequest
    }
    if head.count < 4 {
      // Could still become an HTTP method; wait for more unless it already cannot.
      let prefix = String(decoding: head, as: UTF8.self)
      if httpMethods.contains(where: { $0.hasPrefix(prefix) }) || (head.first == 0x16) { return .needMoreBytes }
    }
    return .garbage
  }

  /// The HTTP answer sent to an HTTP client that reached the CivicWire port.
  public static let httpRejection: String = {
    let body = "This port speaks CivicWire (docs/PROTOCOL.md), not HTTP. Use the gRPC port for HTTP/2 clients.\n"
    return "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
      + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
  }()
}
