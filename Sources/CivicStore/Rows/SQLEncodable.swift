public import Foundation

/// A value bound to a `$n` parameter, sent out-of-band in PostgreSQL's text format.
///
/// Values never become part of the SQL text: they travel as separate protocol fields of
/// PQexecParams / PQexecPrepared, so no quoting or escaping is involved.
public protocol SQLEncodable: Sendable {
  /// The text representation PostgreSQL parses for the parameter's type; `nil` is NULL.
  var sqlText: String? { get }
}

extension String: SQLEncodable { public var sqlText: String? { self } }
extension Substring: SQLEncodable { public var sqlText: String? { String(self) } }
extension Int: SQLEncodable { public var sqlText: String? { String(self) } }
extension Int64: SQLEncodable { public var sqlText: String? { String(self) } }
extension Int32: SQLEncodable { public var sqlText: String? { String(self) } }
extension Int16: SQLEncodable { public var sqlText: String? { String(self) } }
extension Bool: SQLEncodable { public var sqlText: String? { self ? "t" : "f" } }
extension Double: SQLEncodable { public var sqlText: String? { "\(self)" } }
extension UUID: SQLEncodable { public var sqlText: String? { self.uuidString.lowercased() } }

extension Date: SQLEncodable {
  /// An ISO 8601 instant in UTC with microseconds, as `timestamptz` accepts it.
  public var sqlText: String? { SQLTimestamp.format(self) }
}

/// A `bytea` value (hex text format on the wire).
public struct SQLBytes: SQLEncodable, SQLDecodable, Hashable {
  public var bytes: [UInt8]
  public init(_ bytes: [UInt8]) { self.bytes = bytes }
  public init<S: Sequence>(_ bytes: S) where S.Element == UInt8 { self.bytes = Array(bytes) }

  public var sqlText: String? {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8](repeating: 0, count: 2 + 2 * self.bytes.count)
    out[0] = UInt8(ascii: "\\")
    out[1] = UInt8(ascii: "x")
    for (index, byte) in self.bytes.enumerated() {
      out[2 + 2 * index] = digits[Int(byte >> 4)]
      out[3 + 2 * index] = digits[Int(byte & 0x0f)]
    }
    return String(decoding: out, as: UTF8.self)
  }

  public static func decode(sqlText: String) throws(StoreError) -> SQLBytes {
    let utf8 = Array(sqlText.utf8)
    guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
      throw StoreError(code: .decoding, serverMessage: "bytea is not in hex format")
    }
    func nibble(_ c: UInt8) throws(StoreError) -> UInt8 {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
      default: throw StoreError(code: .decoding, serverMessage: "bad hex digit in bytea")
      }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity((utf8.count - 2) / 2)
    var index = 2
    while index < utf8.count {
      bytes.append(try nibble(utf8[index]) << 4 | nibble(utf8[index + 1]))
      index += 2
    }
    return SQLBytes(bytes)
  }
}

extension Optional: SQLEncodable where Wrapped: SQLEncodable {
  public var sqlText: String? { self.flatMap { $0.sqlText } }
}
