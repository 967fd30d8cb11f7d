public import GRPCCore

/// Request validation: every problem answers INVALID_ARGUMENT naming the field.
public enum Validation {
  public static func invalid(_ field: String, _ problem: String) -> RPCError {
    RPCError(code: .invalidArgument, message: "\(field): \(problem)")
  }

  /// A required text field: non-empty after trimming, at most `maxLength` characters, no
  /// control characters. Returns the trimmed value.
  public static func text(_ value: String, field: String, maxLength: Int = 200, required: Bool = true) throws(RPCError) -> String {
    let trimmed = value.trimmingWhitespace()
    if required, trimmed.isEmpty { throw Self.invalid(field, "is required") }
    if trimmed.count > maxLength { throw Self.invalid(field, "is longer than \(maxLength) characters") }
    if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      throw Self.invalid(field, "contains control characters")
    }
    return trimmed
  }

  /// An identifier such as a unit code or login: 1–64 of letters, digits and `extra`.
  public static func code(_ value: String, field: String, extra: Set<Character> = ["-", "_", "."]) throws(RPCError) -> String {
    guard !value.isEmpty else { throw Self.invalid(field, "is required") }
    guard value.count <= 64, value.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || extra.contains($0) }) else {
      throw Self.invalid(field, "must be 1–64 letters, digits or \(extra.sorted().map { "'\($0)'" }.joined(separator: " "))")
    }
    return value
  }

  /// A page size: 0 means `defaultSize`; otherwise 1…`maxSize`.
  public static func pageSize(_ value: Int32, field: String = "page_size", defaultSize: Int = 100, maxSize: Int = 500) throws(RPCError)
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
