import CivicProtos
import CivicServer
import Foundation
import GRPCCore
import Testing

/// In-flight refusals on both listeners as `/metrics` reports them. civicgridd runs as a
/// child process: the counters live in its process-wide metrics system, which the endpoint
/// serves, so an in-process server would not show them.
@Suite("Admission control: refusals counted in /metrics", .serialized, .timeLimit(.minutes(2)))
struct AdmissionMetricsTests {
  static let method = "civicgrid.v1.Diagnostics/EmptyCall"
  static let refusalSeries = #"civicgrid_admission_refusals_total{reason="in_flight"}"#

  static func callSeries(_ transport: String) -> String {
    #"civicgrid_rpc_calls_total{transport="\#(transport)",method="\#(Self.method)",code="RESOURCE_EXHAUSTED"}"#
  }

  @Test("every in-flight refusal, 3 over CivicWire and 2 over HTTP/2, adds exactly one to the refusal counter and to its transport's RESOURCE_EXHAUSTED calls")
  func refusalsCounted() async throws {
    let (server, ports) = try ExecutableTests.startServer(
      extraArguments: ["--max-calls-in-flight", "1"],
      environment: ExecutableTests.environmentWithoutDatabase
    )
    defer { server.terminate() }
    let series = [Self.refusalSeries, Self.callSeries("civicwire"), Self.callSeries("http2")]
    let before = Self.values(series, port: ports.metrics)
    let refusals: [(TransportKind, Int)] = [(.civicWire, 3), (.http2, 2)]

    // One call held in flight fills the limit of 1; every other call is refused.
    try await TransportKind.civicWire.withClients(ports) { holder in
      try await AdmissionTests.holding(holder) {
        for (transport, count) in refusals {
          try await transport.withClients(ports) { clients in
            for _ in 0..<count {
              let error = await #expect(throws: RPCError.self) { try await clients.diagnostics.emptyCall(Civicgrid_V1_Empty()) }
              #expect(error?.code == .resourceExhausted, "\(transport)")
            }
          }
        }
      }
    }

    let expected = [5.0, 3, 2]
    // A counter may be incremented just after the client has its status: wait (bounded)
    // until every series has reached its count, then require exactly that count.
    var after = Self.values(series, port: ports.metrics)
    for _ in 0..<100 where zip(zip(after, before), expected).contains(where: { $0.0 - $0.1 < $1 }) {
      try await Task.sleep(for: .milliseconds(50))
      after = Self.values(series, port: ports.metrics)
    }
    for index in series.indices {
      #expect(after[index] - before[index] == expected[index], "\(series[index]): \(before[index]) → \(after[index])")
    }
  }

  /// The values of `series` (name and labels exactly as exported) in one scrape; a series not
  /// exported yet counts 0.
  static func values(_ series: [String], port: Int) -> [Double] {
    let lines = ExecutableTests.scrape(port: port).split(whereSeparator: \.isNewline)
    return series.map { name in
      lines.first(where: { $0.hasPrefix(name + " ") }).flatMap { Double($0.dropFirst(name.count + 1)) } ?? 0
    }
  }
}
