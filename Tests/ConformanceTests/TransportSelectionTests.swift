import Testing

/// CIVICGRID_TEST_TRANSPORTS narrows the transports every conformance case runs over; a
/// value naming no transport must be refused, not run zero cases that pass.
@Suite("Test transport selection", .timeLimit(.minutes(1)))
struct TransportSelectionTests {
  @Test("unset: every transport; a list: those named, once each, in order")
  func accepted() throws {
    #expect(try TransportKind.parse(nil) == [.civicWire, .http2])
    #expect(try TransportKind.parse("http2") == [.http2])
    #expect(try TransportKind.parse("http2, civicWire,http2") == [.http2, .civicWire])
  }

  @Test("a misspelt or empty name is refused, naming it", arguments: ["civicwire", "http2,grpc", "", "civicWire,"])
  func refused(value: String) {
    let error = #expect(throws: TransportKind.SelectionError.self) { try TransportKind.parse(value) }
    #expect(error?.description.contains("is not a transport") == true)
  }
}
