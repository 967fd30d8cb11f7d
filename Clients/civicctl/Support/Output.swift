import Foundation
import SwiftProtobuf

/// Writing results: tables and lines for people, one proto JSON document for scripts.
enum Output {
  static func line(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  static func text(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  static func note(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// One message as proto JSON on one line.
  static func json(_ message: some SwiftProtobuf.Message) throws {
    var options = JSONEncodingOptions()
    options.alwaysPrintEnumsAsInts = false
    self.line(try message.jsonString(options: options))
  }

  /// A timestamp for people, in the local time zone: `2026-03-02 09:30:00`; empty when unset.
  static func time(_ timestamp: Google_Protobuf_Timestamp?, timeZone: TimeZone = .current) -> String {
    guard let timestamp, timestamp.seconds != 0 || timestamp.nanos != 0 else { return "" }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: timestamp.date)
  }

  static func hex(_ bytes: Data) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
  }
}

/// `--since`/`--until` values: a date (`2026-03-01`, local midnight), a date and time
/// (`2026-03-01T08:00:00Z`, `2026-03-01 08:00`), or a duration meaning that long ago (`24h`, `7d`).
enum TimeText {
  struct ParseError: Error, CustomStringConvertible {
    let text: String
    var description: String {
      "'\(self.text)' is not a time; write 2026-03-01, 2026-03-01T08:00:00Z, '2026-03-01 08:00' or an age such as 24h or 7d"
    }
  }

  static func parse(_ text: String, now: Date = Date(), timeZone: TimeZone = .current) throws -> Date {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let seconds = try? DurationText.seconds(trimmed), trimmed.contains(where: { $0.isLetter }) {
      return now.addingTimeInterval(-TimeInterval(seconds))
    }
    let iso = ISO8601DateFormatter()
    iso.formatOptions = [.withInternetDateTime]
    if let date = iso.date(from: trimmed) { return date }
    iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = iso.date(from: trimmed) { return date }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    for format in ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
      formatter.dateFormat = format
      if let date = formatter.date(from: trimmed), formatter.string(from: date) == trimmed { return date }
    }
    throw ParseError(text: text)
  }
}
