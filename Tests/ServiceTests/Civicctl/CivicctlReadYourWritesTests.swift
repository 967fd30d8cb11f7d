import CivicServer
import CivicServices
import CivicStore
import CivicTestSupport
import Foundation
import Testing

/// civicctl carries read-your-writes between its commands (README, civicctl) against a real
/// server whose reads go to a real streaming replica with replay paused (`ops/pg replica`):
/// another account, so the server's own memory of the writer's position plays no part.
@Suite(
  "civicctl: read-your-writes between commands",
  .serialized,
  .timeLimit(.minutes(3)),
  .enabled(if: ReplicaCluster.isConfigured, ReplicaCluster.skipReason)
)
struct CivicctlReadYourWritesTests {
  @Test("a write through civicctl records the server's commit position next to its config; the next command sends it and reads the write from the primary while replay is paused; with --no-min-lsn it reads the stale replica")
  func carriesCommitPosition() async throws {
    try await ServiceHarness.withServer(replica: ReplicaCluster.settings(maxLag: .seconds(60))) { harness in
      let replica = try #require(harness.replica)
      try await ReplicaReadTests.waitUntilFresh(replica)
      let runner = CivicctlRunner(wirePort: harness.ports.wire)
      defer { runner.close() }
      let auditor = try await harness.token(for: "auditor")
      let positionsPath = String(runner.configPath.dropLast(".json".count)) + ".positions.json"
      try await ReplicaCluster.withReplayPaused {
        let created = try await runner.callAs(
          harness.adminToken, "unit", "create", "--code", "QH-S1-C1-RW1", "--name", "Read-your-writes grid", "--kind", "grid", "--parent", "QH-S1-C1"
        )
        #expect(created.status == 0, "\(created.stderr)")
        let data = try #require(FileManager.default.contents(atPath: positionsPath), "no positions file at \(positionsPath)")
        let stored = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        let text = try #require(stored["127.0.0.1:\(harness.ports.wire)"], "\(stored)")
        let position = try #require(WALPosition(text))
        let primary = try #require(try await harness.store.query("SELECT pg_current_wal_lsn()::text").scalar(String.self).flatMap { WALPosition($0) })
        #expect(position <= primary)

        let before = replica.routed["behind_write", default: 0]
        let seen = try await runner.callAs(auditor, "unit", "show", "QH-S1-C1-RW1")
        #expect(seen.status == 0 && seen.stdout.contains("QH-S1-C1-RW1"), "\(seen.stderr)")
        #expect(replica.routed["behind_write", default: 0] == before + 1, "the read waited for the position civicctl sent")

        let stale = try await runner.callAs(auditor, "unit", "show", "QH-S1-C1-RW1", "--no-min-lsn")
        #expect(stale.status == 5, "the paused replica has not replayed the unit: \(stale.stdout) \(stale.stderr)")
      }
    }
  }
}
