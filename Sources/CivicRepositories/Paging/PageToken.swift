public import CivicDomain
import Foundation

/// The one page-token format of every list RPC: the last sort key of a page, which the next
/// call continues after.
///
/// The token is opaque to clients (base64url, no padding) and validated on the way back in:
/// it carries a format version, the key's parts and a checksum over both, so a token that was
/// cut, edited or made up is refused with `DomainError.invalidField("page_token", …)` rather
/// than read as some other position. It is not signed: a client that forges a well-formed
/// token only moves its own cursor inside what its scope already lets it list.
public struct PageToken: Sendable, Hashable {
  /// The sort key's parts, in order (one for a single-column key).
  public var parts: [String]

  public init(parts: [String]) { self.parts = parts }

  /// After a text key (a path, a login, a code).
  public init(after key: String) { self.parts = [key] }

  /// After a numeric key (an id).
  public init(after id: Int64) { self.parts = [String(id)] }

  /// The format: "1:" then each part as "<UTF-8 length>:<part>", then 8 hex digits of checksum
  /// over what comes before them; then base64url without padding.
  static let version = "1:"

  /// The token as a client sees it.
  public var encoded: String {
    let body = Self.version + self.parts.map { "\($0.utf8.count):\($0)" }.joined()
    return Data((body + Self.checksum(body)).utf8).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  /// The position inside `token`, or nil for the empty token (the first page). `parts` is
  /// how many key parts the list RPC's tokens have.
  public static func decode(_ token: String, parts count: Int = 1, field: String = "page_token") throws(DomainError) -> PageToken? {
    if token.isEmpty { return nil }
    let refused = DomainError.invalidField(field, "is not a token this server issued")
    guard token.utf8.count <= 1024 else { throw refused }
    var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
    guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8), text.utf8.count > 8 else {
      throw refused
    }
    let body = String(text.dropLast(8))
    guard Self.checksum(body) == String(text.suffix(8)), body.hasPrefix(Self.version),
      let parts = Self.parts(of: Array(body.utf8.dropFirst(Self.version.utf8.count))), parts.count == count,
      !parts.contains(where: \.isEmpty)
    else { throw refused }
    return PageToken(parts: parts)
  }

  /// The parts of "<length>:<part>…", or nil when the bytes do not have that shape.
  static func parts(of bytes: [UInt8]) -> [String]? {
    var parts: [String] = []
    var index = 0
    while index < bytes.count {
      guard let colon = bytes[index...].firstIndex(of: UInt8(ascii: ":")), colon > index, colon - index <= 4,
        let length = Int(String(decoding: bytes[index..<colon], as: UTF8.self)), length >= 0, length <= bytes.count - colon - 1
      else { return nil }
      let start = colon + 1
      guard let part = String(validating: bytes[start..<start + length], as: UTF8.self) else { return nil }
      parts.append(part)
      index = start + length
    }
    return parts
  }

  /// The numeric key of a one-part token; a token whose key is not an id is refused.
  public func id(field: String = "page_token") throws(DomainError) -> Int64 {
    guard self.parts.count == 1, let id = Int64(self.parts[0]), id > 0 else {
      throw DomainError.invalidField(field, "is not a token this server issued")
    }
    return id
  }

  /// FNV-1a (32 bit) of `text`, as 8 hex digits: catches corruption and hand-edits, cheaply.
  static func checksum(_ text: String) -> String {
    var hash: UInt32 = 0x811C_9DC5
    for byte in text.utf8 {
      hash ^= UInt32(byte)
      hash = hash &* 0x0100_0193
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 8 - hex.count) + hex
  }
}
