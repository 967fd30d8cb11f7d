public import CivicDomain
public import SwiftProtobuf

/// Request validation: every problem is `DomainError.invalidField` naming the field (which
/// the RPC layer answers INVALID_ARGUMENT).
public enum Validation {
  public static func invalid(_ field: String, _ problem: String) -> DomainError {
    .invalidField(field, problem)
  }

  /// A required text field: non-empty after trimming, at most `maxLength` characters, no
  /// control characters. Returns the trimmed value.
  public static func text(_ value: String, field: String, maxLength: Int = 200, required: Bool = true) throws(DomainError) -> String {
    let trimmed = value.trimmingWhitespace()
    if required, trimmed.isEmpty { throw Self.invalid(field, "is required") }
    if trimmed.count > maxLength { throw Self.invalid(field, "is longer than \(maxLength) characters") }
    if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      throw Self.invalid(field, "contains control characters")
    }
    return trimmed
  }

  /// An identifier such as a unit code or login: 1–64 of letters, digits and `extra`.
  public static func code(_ value: String, field: String, extra: Set<Character> = ["-", "_", "."]) throws(DomainError) -> String {
    guard !value.isEmpty else { throw Self.invalid(field, "is required") }
    guard value.count <= 64, value.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || extra.contains($0) }) else {
      throw Self.invalid(field, "must be 1–64 letters, digits or \(extra.sorted().map { "'\($0)'" }.joined(separator: " "))")
    }
    return value
  }

  /// The instants a request may name: 1900-01-01T00:00:00Z up to 2199-12-31T23:59:59Z, the
  /// years calendars cover. Checked where a timestamp enters, so no arithmetic on it can
  /// overflow and no database conversion can refuse it.
  public static let timestampSeconds: ClosedRange<Int64> = -2_208_988_800...7_258_118_399

  /// A timestamp inside `timestampSeconds` with nanos 0…999,999,999.
  public static func timestamp(_ value: Google_Protobuf_Timestamp, field: String) throws(DomainError) -> Google_Protobuf_Timestamp {
    guard Self.timestampSeconds.contains(value.seconds) else {
      throw Self.invalid(field, "must be between 1900-01-01T00:00:00Z and 2199-12-31T23:59:59Z")
    }
    guard (0..<1_000_000_000).contains(value.nanos) else { throw Self.invalid("\(field).nanos", "must be 0–999999999") }
    return value
  }

  /// A date "YYYY-MM-DD" in the years a request may name (those of `timestampSeconds`).
  public static func date(_ text: String, field: String) throws(DomainError) -> CivilDate {
    guard let date = CivilDate(text), (1900...2199).contains(date.year) else {
      throw Self.invalid(field, "must be a date YYYY-MM-DD in 1900–2199, got \"\(text.prefix(40))\"")
    }
    return date
  }

  /// An expected version: at least 1 (the version the caller read).
  public static func version(_ value: Int64, field: String) throws(DomainError) -> Int {
    guard value >= 1 else { throw Self.invalid(field, "must be at least 1 (the version you read), got \(value)") }
    return Int(value)
  }

  /// A request's instant, range-checked (`timestamp`); whole seconds.
  public static func instant(_ value: Google_Protobuf_Timestamp, field: String) throws(DomainError) -> Instant {
    Instant(try Self.timestamp(value, field: field))
  }

  /// A page size: 0 means `defaultSize`; otherwise 1…`maxSize`.
  public static func pageSize(_ value: Int32, field: String = "page_size", defaultSize: Int = 100, maxSize: Int = 500) throws(DomainError)
    -> Int
  {
    if value == 0 { return defaultSize }
    guard value > 0, Int(value) <= maxSize else { throw Self.invalid(field, "must be between 1 and \(maxSize)") }
    return Int(value)
  }
}

extension String {
  func trimmingWhitespace() -> String {
    var scalars = Substring(self)
    while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
    while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
    return String(scalars)
  }
}
