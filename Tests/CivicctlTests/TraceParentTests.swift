import ArgumentParser
import Testing

@testable import civicctl

@Suite("civicctl trace context", .timeLimit(.minutes(1)))
struct TraceParentTests {
  @Test("a fresh traceparent is version 00, sampled, with non-zero lowercase hex ids, and parses back")
  func fresh() throws {
    let trace = TraceParent.random()
    #expect(trace.traceID.count == 32 && trace.parentID.count == 16 && trace.sampled)
    #expect(trace.header.hasPrefix("00-") && trace.header.hasSuffix("-01"))
    #expect(TraceParent(parsing: trace.header) == trace)
    #expect(TraceParent.random().traceID != trace.traceID)
  }

  @Test("a valid header parses with its sampled flag")
  func parses() throws {
    let trace = try #require(TraceParent(parsing: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"))
    #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
    #expect(trace.parentID == "00f067aa0ba902b7")
    #expect(!trace.sampled)
  }

  @Test(
    "malformed headers are refused",
    arguments: [
      "", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902bz-01",
    ]
  )
  func refused(header: String) {
    #expect(TraceParent(parsing: header) == nil)
  }

  @Test("--traceparent is sent as given; --trace sends a fresh one; the two together and a bad value are refused")
  func options() throws {
    let given = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    #expect(try GlobalOptions.parse(["--traceparent", given]).traceParent()?.header == given)
    #expect(try GlobalOptions.parse(["--trace"]).traceParent() != nil)
    #expect(try GlobalOptions.parse([]).traceParent() == nil)
    #expect(throws: (any Error).self) { try GlobalOptions.parse(["--trace", "--traceparent", given]) }
    #expect(throws: (any Error).self) { try GlobalOptions.parse(["--traceparent", "nope"]) }
  }
}
