import Foundation
import SwiftProtobuf
import Testing

@testable import civicctl

@Suite("Times (--since, --until)", .timeLimit(.minutes(1)))
struct TimeTextTests {
  static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
  static let now = Date(timeIntervalSince1970: 1_772_000_000)

  @Test(
    "dates, date-times and ages",
    arguments: [
      ("2026-03-01", 1_772_294_400.0), ("2026-03-01T08:00:00Z", 1_772_352_000), ("2026-03-01 08:00", 1_772_323_200),
      ("2026-03-01T08:00:00+08:00", 1_772_323_200), ("24h", 1_771_913_600), ("7d", 1_771_395_200),
    ]
  )
  func valid(text: String, epoch: Double) throws {
    #expect(try TimeText.parse(text, now: Self.now, timeZone: Self.shanghai) == Date(timeIntervalSince1970: epoch))
  }

  @Test("anything else fails", arguments: ["yesterday", "2026-02-30", "2026/03/01", "12", ""])
  func invalid(text: String) {
    #expect(throws: TimeText.ParseError.self) { try TimeText.parse(text, now: Self.now, timeZone: Self.shanghai) }
  }

  @Test("times print in the given zone")
  func printing() {
    var timestamp = Google_Protobuf_Timestamp()
    timestamp.seconds = 1_772_323_200
    #expect(Output.time(timestamp, timeZone: Self.shanghai) == "2026-03-01 08:00:00")
    #expect(Output.time(nil) == "")
  }
}
