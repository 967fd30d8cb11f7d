/// A position in PostgreSQL's write-ahead log (an LSN), written as PostgreSQL prints it:
/// two hexadecimal halves, `16/B374D848`.
///
/// A commit's position tells a replica's reader whether the replica has replayed that commit
/// (`pg_last_wal_replay_lsn() >= position`).
public struct WALPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var value: UInt64

  public init(_ value: UInt64) {
    self.value = value
  }

  /// Parses `HIGH/LOW` (each one to eight hexadecimal digits); nil for anything else.
  public init?(_ text: some StringProtocol) {
    let halves = text.split(separator: "/", omittingEmptySubsequences: false)
    guard halves.count == 2,
      halves.allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy(\.isHexDigit) }),
      let high = UInt64(halves[0], radix: 16), let low = UInt64(halves[1], radix: 16)
    else { return nil }
    self.value = high << 32 | low
  }

  public var description: String {
    String(self.value >> 32, radix: 16, uppercase: true) + "/" + String(self.value & 0xFFFF_FFFF, radix: 16, uppercase: true)
  }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}
