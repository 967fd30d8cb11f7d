public import Foundation

/// A Swift type a column decodes to from PostgreSQL's text format.
public protocol SQLDecodable: Sendable {
  /// Decodes a non-NULL column value.
  static func decode(sqlText: String) throws(StoreError) -> Self
  /// Decodes a column that may be NULL; only `Optional` accepts NULL.
  static func decode(nullable: String?) throws(StoreError) -> Self
}

extension SQLDecodable {
  public static func decode(nullable: String?) throws(StoreError) -> Self {
    guard let text = nullable else {
      throw StoreError(code: .decoding, serverMessage: "NULL in a column decoded as non-optional \(Self.self)")
    }
    return try Self.decode(sqlText: text)
  }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
  public static func decode(sqlText: String) throws(StoreError) -> Wrapped? { try Wrapped.decode(sqlText: sqlText) }
  public static func decode(nullable: String?) throws(StoreError) -> Wrapped? {
    guard let nullable else { return nil }
    return try Wrapped.decode(sqlText: nullable)
  }
}

extension String: SQLDecodable {
  public static func decode(sqlText: String) throws(StoreError) -> String { sqlText }
}

private func parse<T>(_ text: String, as type: T.Type, _ make: (String) -> T?) throws(StoreError) -> T {
  guard let value = make(text) else {
    throw StoreError(code: .decoding, serverMessage: "column is not a valid \(T.self)")
  }
  return value
}

extension Int: SQLDecodable {
  public static func decode(sqlText: String) throws(StoreError) -> Int { try parse(sqlText, as: Int.self) { Int($0) } }
}
extension Int64: SQLDecodable {
  public static func decode(sqlText: String) throws(StoreError) -> Int64 { try parse(sqlText, as: Int64.self) { Int64($0) } }
}
extension Int32: SQLDecodable {
  public static func decode(sqlText: String) throws(StoreError) -> Int32 { try parse(sqlText, as: Int32.self) { Int32($0) } }
}
extension Double: SQLDecodable {
  public static func decode(sqlText: String) throws(StoreError) -> Double { try parse(sqlText, as: Double.self) { Double($0) } }
}
extension Bool: SQLDecodable {
  public static func decode(sqlText: String) throws(StoreError) -> Bool {
    try parse(sqlText, as: Bool.self) { $0 == "t" ? true : $0 == "f" ? false : nil }
  }
}
extension UUID: SQLDecodable {
  public static func decode(sqlText: String) throws(StoreError) -> UUID { try parse(sqlText, as: UUID.self) { UUID(uuidString: $0) } }
}
extension Date: SQLDecodable {
  /// Decodes `timestamptz` as printed with `DateStyle=ISO` and `TimeZone=UTC` (set on every connection).
  public static func decode(sqlText: String) throws(StoreError) -> Date {
    try parse(sqlText, as: Date.self) { SQLTimestamp.parse($0) }
  }
}

/// `timestamptz` text in the session format every connection sets (ISO, UTC).
enum SQLTimestamp {
  static func format(_ date: Date) -> String {
    let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    let fraction = micros - seconds * 1_000_000
    var time = time_t(seconds)
    var parts = tm()
    gmtime_r(&time, &parts)
    func pad(_ value: Int32, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    let micro = String(fraction)
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
      + " \(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
      + String(repeating: "0", count: 6 - micro.count) + micro + "+00"
  }

  /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]+00` (the session time zone is UTC).
  static func parse(_ text: String) -> Date? {
    let utf8 = Array(text.utf8)
    guard utf8.count >= 22 else { return nil }
    func number(_ range: Range<Int>) -> Int? {
      var value = 0
      for index in range {
        guard index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 else { return nil }
        value = value * 10 + Int(utf8[index] - 48)
      }
      return value
    }
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
      let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
    else { return nil }
    var index = 19
    var micros = 0
    if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
      index += 1
      var digits = 0
      while index < utf8.count, utf8[index] >= 48, utf8[index] <= 57 {
        if digits < 6 { micros = micros * 10 + Int(utf8[index] - 48) }
        digits += 1
        index += 1
      }
      for _ in digits..<max(digits, 6) { micros *= 10 }
    }
    guard index < utf8.count, String(decoding: utf8[index...], as: UTF8.self) == "+00" else { return nil }
    var parts = tm()
    parts.tm_year = Int32(year - 1900)
    parts.tm_mon = Int32(month - 1)
    parts.tm_mday = Int32(day)
    parts.tm_hour = Int32(hour)
    parts.tm_min = Int32(minute)
    parts.tm_sec = Int32(second)
    let seconds = timegm(&parts)
    return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
  }
}
