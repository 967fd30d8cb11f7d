import CivicProtos
import CivicTestSupport
import Foundation
import Testing

/// The `requests` fuzz target starts from one valid request per rpc (Fuzz/corpus/requests,
/// written by `CivicWireFuzz write-request-seeds`). A new rpc without a seed would be fuzzed
/// only by chance, so every rpc in Protos/ must have one.
@Suite("Every rpc has a request fuzz seed", .timeLimit(.minutes(1)))
struct RequestSeedCoverageTests {
  static let corpus = Binaries.packageRoot.appendingPathComponent("Fuzz/corpus/requests")

  /// The methods the seeds name: each seed is the method's full name, a line feed, then the
  /// request bytes.
  static func seededMethods() throws -> Set<String> {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
    var methods: Set<String> = []
    for file in files {
      let bytes = try Data(contentsOf: Self.corpus.appendingPathComponent(file))
      guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { continue }
      methods.insert(String(decoding: bytes[bytes.startIndex..<newline], as: UTF8.self))
    }
    return methods
  }

  @Test("each civicgrid rpc in MethodRegistry has a seed naming it")
  func everyRPCHasASeed() throws {
    let seeded = try Self.seededMethods()
    let missing = MethodRegistry.entries.keys.filter { !seeded.contains($0) }.sorted()
    #expect(
      missing.isEmpty,
      "no seed in Fuzz/corpus/requests for \(missing); run `CivicWireFuzz write-request-seeds Fuzz/corpus/requests`"
    )
    #expect(MethodRegistry.entries.count > 100, "the registry lists the rpcs (got \(MethodRegistry.entries.count))")
  }
}
