import CivicProtos
import CivicServer
import CivicServices
import CivicStore
import CivicWire
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Testing

/// Read-only calls served by a real streaming replica (`ops/pg replica`), with the caller's
/// own writes visible through it. Serialized: pausing replay pauses the whole replica.
@Suite(
  "Reads from a streaming replica",
  .serialized,
  .timeLimit(.minutes(3)),
  .enabled(if: ReplicaCluster.isConfigured, ReplicaCluster.skipReason)
)
struct ReplicaReadTests {
  static func unit(_ code: String) -> Civicgrid_V1_CreateUnitRequest {
    .with {
      $0.code = code
      $0.name = "Replica test grid"
      $0.kind = .grid
      $0.parentCode = "QH-S1-C1"
    }
  }

  /// Creates a unit and returns the `civicgrid-commit-lsn` its answer carried.
  static func create(_ code: String, on harness: ServiceHarness, metadata: Metadata) async throws -> WALPosition {
    let text = try await harness.directory.createUnit(Self.unit(code), metadata: metadata) { response in
      _ = try response.message
      return response.trailingMetadata[stringValues: ReplicaRoutingInterceptor.commitPositionKey].first(where: { _ in true })
    }
    return try #require(text.flatMap { WALPosition($0) }, "no \(ReplicaRoutingInterceptor.commitPositionKey) in the trailing metadata")
  }

  /// Waits (30 s at most) until `condition` holds; the replica needs a few probes after start.
  static func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
    for _ in 0..<1500 {
      if condition() { return }
      try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting until \(what)")
    throw CancellationError()
  }

  static func waitUntilFresh(_ replica: ReadReplica) async throws {
    try await Self.waitUntil("the replica is within its bound") { replica.staleness.map { $0 <= replica.configuration.maxLag } ?? false }
  }

  @Test("a read-only RPC is served by the replica's pool, whose connections are in recovery")
  func readServedByReplica() async throws {
    try await ServiceHarness.withServer(replica: ReplicaCluster.settings()) { harness in
      let replica = try #require(harness.replica)
      try await Self.waitUntilFresh(replica)
      let before = replica.routed
      let unit = try await harness.directory.getUnit(.with { $0.code = "QH-S1-C1" }, metadata: .bearer(harness.adminToken))
      #expect(unit.code == "QH-S1-C1")
      #expect(replica.routed["replica", default: 0] == before["replica", default: 0] + 1)
      let (total, totalBefore): (Int, Int) = (replica.routed.values.reduce(0, +), before.values.reduce(0, +))
      #expect(total == totalBefore + 1)
      // What a routed call's statements reach, whichever pool the service holds, is the standby.
      let inRecovery = try await StoreRouting.$readPool.withValue(replica.replica) {
        try await harness.store.query("SELECT pg_is_in_recovery()").scalar(Bool.self)
      }
      #expect(inRecovery == true)
      #expect(try await harness.store.query("SELECT pg_is_in_recovery()").scalar(Bool.self) == false)
    }
  }

  @Test("a write, then a read by the same account, sees the write while the replica's replay is paused")
  func readYourWritesWhilePaused() async throws {
    // A long bound: the paused replica stays "fresh", so only the write's position decides.
    try await ServiceHarness.withServer(replica: ReplicaCluster.settings(maxLag: .seconds(60))) { harness in
      let replica = try #require(harness.replica)
      try await Self.waitUntilFresh(replica)
      let admin = Metadata.bearer(harness.adminToken)
      let auditor = Metadata.bearer(try await harness.token(for: "auditor"))
      try await ReplicaCluster.withReplayPaused {
        let position = try await Self.create("QH-S1-C1-RP1", on: harness, metadata: admin)
        let before = replica.routed["behind_write", default: 0]
        // The same account, sending nothing: the instance remembers its write.
        let read = try await harness.directory.getUnit(.with { $0.code = "QH-S1-C1-RP1" }, metadata: admin)
        #expect(read.code == "QH-S1-C1-RP1")
        #expect(replica.routed["behind_write", default: 0] == before + 1)
        // Another account that carries the position sees it too.
        var carried = auditor
        carried.addString(position.description, forKey: ReplicaRoutingInterceptor.minimumPositionKey)
        let seen = try await harness.directory.getUnit(.with { $0.code = "QH-S1-C1-RP1" }, metadata: carried)
        #expect(seen.code == "QH-S1-C1-RP1")
        #expect(replica.routed["behind_write", default: 0] == before + 2)
      }
      // Replay resumed: the same read by the writer is served by the replica again.
      let before = replica.routed["replica", default: 0]
      var served = false
      for _ in 0..<200 where !served {
        _ = try await harness.directory.getUnit(.with { $0.code = "QH-S1-C1-RP1" }, metadata: admin)
        served = replica.routed["replica", default: 0] > before
        if !served { try await Task.sleep(for: .milliseconds(20)) }
      }
      #expect(served)
    }
  }

  @Test("with replay paused beyond the bound, reads go to the primary and see what it holds")
  func stalePausedReplicaLeavesReadsToPrimary() async throws {
    try await ServiceHarness.withServer(replica: ReplicaCluster.settings(maxLag: .milliseconds(300))) { harness in
      let replica = try #require(harness.replica)
      try await Self.waitUntilFresh(replica)
      let auditor = Metadata.bearer(try await harness.token(for: "auditor"))
      try await ReplicaCluster.withReplayPaused {
        // Something for the replica to replay, which it does not.
        _ = try await Self.create("QH-S1-C1-RP2", on: harness, metadata: .bearer(harness.adminToken))
        try await Self.waitUntil("the paused replica is past its bound") { replica.staleness.map { $0 > replica.configuration.maxLag } ?? true }
        let before = replica.routed
        // An account that wrote nothing: only the lag sends it to the primary.
        let read = try await harness.directory.getUnit(.with { $0.code = "QH-S1-C1-RP2" }, metadata: auditor)
        #expect(read.code == "QH-S1-C1-RP2")
        let primary = ["replica_lagging", "replica_unknown"].map { replica.routed[$0, default: 0] - before[$0, default: 0] }.reduce(0, +)
        #expect(primary == 1)
        #expect(replica.routed["replica", default: 0] == before["replica", default: 0])
      }
    }
  }

  @Test("a write RPC never runs on the replica: no read is routed for it, and it answers its commit position")
  func writesStayOnPrimary() async throws {
    try await ServiceHarness.withServer(replica: ReplicaCluster.settings()) { harness in
      let replica = try #require(harness.replica)
      try await Self.waitUntilFresh(replica)
      let before = replica.routed
      let position = try await Self.create("QH-S1-C1-RP3", on: harness, metadata: .bearer(harness.adminToken))
      #expect(replica.routed == before)
      let count = try await harness.store.query("SELECT count(*) FROM units WHERE code = 'QH-S1-C1-RP3'").scalar(Int64.self)
      #expect(count == 1)
      let now = try #require(try await harness.store.query("SELECT pg_current_wal_lsn()::text").scalar(String.self).flatMap { WALPosition($0) })
      #expect(position <= now)
    }
  }

  @Test("the HTTP/2 listener carries both keys: a write answers civicgrid-commit-lsn, a read sending it back sees the write while replay is paused")
  func http2CarriesPositions() async throws {
    try await ServiceHarness.withServer(replica: ReplicaCluster.settings(maxLag: .seconds(60))) { harness in
      let replica = try #require(harness.replica)
      try await Self.waitUntilFresh(replica)
      let auditor = try await harness.token(for: "auditor")
      let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: harness.ports.grpc), transportSecurity: .plaintext)
      try await withGRPCClient(transport: transport) { client in
        let directory = Civicgrid_V1_Directory.Client(wrapping: client)
        try await ReplicaCluster.withReplayPaused {
          let text = try await directory.createUnit(Self.unit("QH-S1-C1-RP4"), metadata: .bearer(harness.adminToken)) { response in
            _ = try response.message
            return response.trailingMetadata[stringValues: ReplicaRoutingInterceptor.commitPositionKey].first(where: { _ in true })
          }
          let position = try #require(text.flatMap { WALPosition($0) })
          var carried = Metadata.bearer(auditor)
          carried.addString(position.description, forKey: ReplicaRoutingInterceptor.minimumPositionKey)
          let before = replica.routed["behind_write", default: 0]
          let seen = try await directory.getUnit(.with { $0.code = "QH-S1-C1-RP4" }, metadata: carried)
          #expect(seen.code == "QH-S1-C1-RP4")
          #expect(replica.routed["behind_write", default: 0] == before + 1)
        }
      }
    }
  }

  @Test("a malformed civicgrid-min-lsn is refused with INVALID_ARGUMENT naming the key")
  func malformedMinimumPosition() async throws {
    try await ServiceHarness.withServer(replica: ReplicaCluster.settings()) { harness in
      var metadata = Metadata.bearer(harness.adminToken)
      metadata.addString("not-a-position", forKey: ReplicaRoutingInterceptor.minimumPositionKey)
      let error = await #expect(throws: RPCError.self) {
        try await harness.directory.getUnit(.with { $0.code = "QH-S1-C1" }, metadata: metadata)
      }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.contains(ReplicaRoutingInterceptor.minimumPositionKey) == true)
    }
  }
}
