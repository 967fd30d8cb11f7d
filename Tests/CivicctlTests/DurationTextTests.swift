import Testing

@testable import civicctl

@Suite("Durations (--ttl)", .timeLimit(.minutes(1)))
struct DurationTextTests {
  @Test(
    "what people write",
    arguments: [
      ("30d", Int64(2_592_000)), ("12h", 43_200), ("90m", 5_400), ("45s", 45), ("2w", 1_209_600),
      ("1d12h", 129_600), ("1H", 3_600), (" 7d ", 604_800), ("3600", 3_600),
    ]
  )
  func valid(text: String, seconds: Int64) throws {
    #expect(try DurationText.seconds(text) == seconds)
  }

  @Test("anything else fails saying why", arguments: ["", "d", "0", "0d", "30x", "12h5", "1d1d", "-5d", "1.5d", "99999999999999999w"])
  func invalid(text: String) {
    #expect(throws: DurationText.ParseError.self) { try DurationText.seconds(text) }
  }

  @Test("the error names the text and shows an example")
  func message() {
    let error = #expect(throws: DurationText.ParseError.self) { try DurationText.seconds("30x") }
    #expect(error?.description.contains("'30x'") == true)
    #expect(error?.description.contains("unknown unit 'x'") == true)
    #expect(error?.description.contains("30d") == true)
  }

  @Test("formatting round-trips", arguments: [Int64(1), 59, 60, 3_600, 86_400, 129_600, 2_592_000, 1_209_661])
  func roundTrip(seconds: Int64) throws {
    #expect(try DurationText.seconds(DurationText.format(seconds: seconds)) == seconds)
  }
}
