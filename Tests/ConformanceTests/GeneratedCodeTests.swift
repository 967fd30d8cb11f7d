import CivicTestSupport
import Foundation
import Testing

@Suite("Generated code")
struct GeneratedCodeTests {
  /// ops/gen-protos records a hash of Protos/ next to the code it generates; a proto
  /// edited without regenerating shows up here.
  @Test("Sources/CivicProtos was generated from the current Protos/")
  func generatedCodeMatchesProtos() throws {
    let root = Binaries.packageRoot
    let recorded = try String(contentsOf: root.appendingPathComponent("Sources/CivicProtos/protos.sha256"), encoding: .utf8)
    let current = try Binaries.run(root.appendingPathComponent("ops/lib/protos-hash"), [])
    #expect(current.status == 0)
    #expect(
      current.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == recorded.trimmingCharacters(in: .whitespacesAndNewlines),
      "Protos/ changed: run ops/gen-protos and commit the result"
    )
  }
}
