import ArgumentParser
import Foundation

/// Lifetimes written the way people write them: `30d`, `12h`, `90m`, `45s`, `2w`, or a
/// sum such as `1d12h`. A bare number is seconds.
enum DurationText {
  struct ParseError: Error, CustomStringConvertible {
    let text: String
    let reason: String
    var description: String { "'\(self.text)' is not a duration (\(self.reason)); write e.g. 30d, 12h, 90m, 1d12h" }
  }

  static let secondsPerUnit: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]

  /// Seconds in the duration; throws `ParseError` for anything else, zero and overflow included.
  static func seconds(_ text: String) throws -> Int64 {
    let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
    guard !trimmed.isEmpty else { throw ParseError(text: text, reason: "empty") }
    if let plain = Int64(trimmed) {
      guard plain > 0 else { throw ParseError(text: text, reason: "must be positive") }
      return plain
    }
    var total: Int64 = 0
    var digits = ""
    var seenUnits: Set<Character> = []
    for character in trimmed {
      if character.isASCII, character.isNumber {
        digits.append(character)
        continue
      }
      guard let unit = secondsPerUnit[character] else {
        throw ParseError(text: text, reason: "unknown unit '\(character)'; units are s, m, h, d, w")
      }
      guard let amount = Int64(digits) else { throw ParseError(text: text, reason: "a number must come before '\(character)'") }
      guard seenUnits.insert(character).inserted else { throw ParseError(text: text, reason: "unit '\(character)' given twice") }
      let (product, overflowA) = amount.multipliedReportingOverflow(by: unit)
      let (sum, overflowB) = total.addingReportingOverflow(product)
      guard !overflowA, !overflowB else { throw ParseError(text: text, reason: "too long") }
      total = sum
      digits = ""
    }
    guard digits.isEmpty else { throw ParseError(text: text, reason: "'\(digits)' at the end has no unit") }
    guard total > 0 else { throw ParseError(text: text, reason: "must be positive") }
    return total
  }

  /// The shortest exact text for a number of seconds, e.g. 129600 → "1d12h".
  static func format(seconds: Int64) -> String {
    guard seconds > 0 else { return "0s" }
    var rest = seconds
    var text = ""
    for (unit, size) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
      text += "\(rest / size)\(unit)"
      rest %= size
    }
    return text
  }
}

extension DurationText {
  /// For `@Option(transform:)`: a usage error saying how to write a duration.
  static func argument(_ text: String) throws -> Int64 {
    do {
      return try seconds(text)
    } catch let error as ParseError {
      throw ValidationError(error.description)
    }
  }
}
