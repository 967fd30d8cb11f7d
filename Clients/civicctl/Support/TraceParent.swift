/// A W3C trace context `traceparent` header (version 00): the trace a call joins and the
/// caller's span id in it, which the server's span takes as its parent.
struct TraceParent: Equatable, Sendable {
  /// 32 lowercase hex digits, not all zero.
  var traceID: String
  /// 16 lowercase hex digits, not all zero.
  var parentID: String
  var sampled: Bool

  /// The header value: `00-<trace id>-<parent id>-<flags>`.
  var header: String { "00-\(self.traceID)-\(self.parentID)-\(self.sampled ? "01" : "00")" }

  /// A fresh trace, sampled (the server's exporter then records it whatever its ratio).
  static func random() -> TraceParent {
    TraceParent(traceID: Self.randomHex(bytes: 16), parentID: Self.randomHex(bytes: 8), sampled: true)
  }

  /// Parses a version-00 header (W3C Trace Context, section 3.2); nil when malformed.
  init?(parsing text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == "00", parts.allSatisfy(Self.isLowercaseHex),
      parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
      parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }),
      let flags = UInt8(parts[3], radix: 16)
    else { return nil }
    self.init(traceID: String(parts[1]), parentID: String(parts[2]), sampled: flags & 1 == 1)
  }

  init(traceID: String, parentID: String, sampled: Bool) {
    self.traceID = traceID
    self.parentID = parentID
    self.sampled = sampled
  }

  private static func isLowercaseHex(_ part: Substring) -> Bool {
    !part.isEmpty && part.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
  }

  /// Random hex, never all zero (an all-zero id is invalid).
  private static func randomHex(bytes: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    var digits: [UInt8] = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
    if digits.allSatisfy({ $0 == 0 }) { digits[bytes - 1] = 1 }
    return digits.map { byte in
      let text = String(byte, radix: 16)
      return text.count == 1 ? "0" + text : text
    }.joined()
  }
}
