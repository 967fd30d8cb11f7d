/// A PostgreSQL WAL position as the server sends it in `civicgrid-commit-lsn` and reads it in
/// `civicgrid-min-lsn`: two hexadecimal halves, `0/16B3748`. Ordered, so the newer wins.
struct CommitPosition: Comparable, Hashable, Sendable, CustomStringConvertible {
  let value: UInt64

  init(value: UInt64) { self.value = value }

  /// nil unless `text` is `HEX/HEX`, each half at most 8 digits.
  init?(_ text: String) {
    let halves = text.split(separator: "/", omittingEmptySubsequences: false)
    guard halves.count == 2, halves.allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy(\.isHexDigit) }),
      let high = UInt64(halves[0], radix: 16), let low = UInt64(halves[1], radix: 16)
    else { return nil }
    self.value = high << 32 | low
  }

  var description: String {
    String(self.value >> 32, radix: 16, uppercase: true) + "/" + String(self.value & 0xFFFF_FFFF, radix: 16, uppercase: true)
  }

  static func < (lhs: CommitPosition, rhs: CommitPosition) -> Bool { lhs.value < rhs.value }
}
