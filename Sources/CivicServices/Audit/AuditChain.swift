public import CivicRepositories
import Crypto

/// The audit log's hash chain, pure: how an entry's hash is computed and how a sequence
/// of entries is checked.
///
/// hash = SHA-256(prev_hash ‖ seq ‖ at ‖ account_id ‖ account ‖ method ‖ object ‖ summary ‖ request_id)
/// with integers as 8-byte big-endian (`at` in microseconds since 1970) and each string as
/// a 4-byte big-endian length and its UTF-8 bytes, so no two different entries share an
/// encoding. The first entry links to 32 zero bytes (`genesis`).
public enum AuditChain {
  public static let genesis = [UInt8](repeating: 0, count: 32)

  /// One link of the chain: a stored audit row (`AuditRecord`, the repository's type).
  public typealias Entry = AuditRecord

  /// One broken entry: its seq and what is wrong with it.
  public struct Break: Sendable, Hashable, CustomStringConvertible {
    public var seq: Int64
    public var problem: String
    public var description: String { "seq \(self.seq): \(self.problem)" }
  }

  /// Walks entries in seq order, page by page: feed each page to `check`, then `finish`
  /// with the recorded chain head.
  ///
  /// Every broken entry is reported, not only the first: each entry is checked against the
  /// one stored before it, so one bad entry does not hide later tampering, and a break that
  /// is already known (say, an old incident) cannot mask a new one.
  public struct Verifier: Sendable {
    /// How many breaks are kept with their details; `brokenCount` counts them all.
    public static let maxReported = 1000

    public private(set) var lastSeq: Int64 = 0
    public private(set) var lastHash: [UInt8] = AuditChain.genesis
    public private(set) var checked: Int64 = 0
    public private(set) var breaks: [Break] = []
    public private(set) var brokenCount: Int64 = 0

    public init() {}

    public var firstBreak: Break? { self.breaks.first }
    public var isIntact: Bool { self.brokenCount == 0 }

    public mutating func check(_ entry: Entry) {
      self.checked += 1
      var problems: [String] = []
      if entry.seq != self.lastSeq + 1 {
        problems.append("expected seq \(self.lastSeq + 1): an entry is missing or out of order")
      } else if entry.prevHash != self.lastHash {
        problems.append("prev_hash does not match the previous entry's hash")
      }
      if entry.hash != entry.expectedHash {
        problems.append("hash does not match the entry's contents")
      }
      if !problems.isEmpty { self.report(Break(seq: entry.seq, problem: problems.joined(separator: "; "))) }
      self.lastSeq = entry.seq
      self.lastHash = entry.hash
    }

    /// Checks the end of the chain against the head the writer recorded, which catches
    /// entries removed from the end.
    public mutating func finish(headSeq: Int64, headHash: [UInt8]) {
      if headSeq != self.lastSeq || headHash != self.lastHash {
        self.report(
          Break(seq: self.lastSeq + 1, problem: "the chain ends at seq \(self.lastSeq) but the recorded head is seq \(headSeq)")
        )
      }
    }

    private mutating func report(_ broken: Break) {
      self.brokenCount += 1
      if self.breaks.count < Self.maxReported { self.breaks.append(broken) }
    }
  }
}

extension AuditRecord {
  /// The hash this entry's fields and link call for.
  public var expectedHash: [UInt8] {
    var bytes = self.prevHash
    for integer in [self.seq, self.atMicros, self.accountID] {
      withUnsafeBytes(of: integer.bigEndian) { bytes.append(contentsOf: $0) }
    }
    for text in [self.account, self.method, self.object, self.summary, self.requestID] {
      let utf8 = Array(text.utf8)
      withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { bytes.append(contentsOf: $0) }
      bytes.append(contentsOf: utf8)
    }
    return Array(SHA256.hash(data: bytes))
  }
}
