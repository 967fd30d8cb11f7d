import CivicProtos
import CivicServices
import CivicStore
import GRPCCore
import Testing

/// Where a read-only call goes, from the replica's lag, the caller's writes and the bound:
/// pure values, the clock given.
@Suite("Read routing rules", .timeLimit(.minutes(1)))
struct ReadRouteTests {
  let start = ContinuousClock.now
  let bound = Duration.seconds(2)

  @Test("WAL positions parse as PostgreSQL prints them, compare by value, and refuse anything else")
  func positions() throws {
    let position = try #require(WALPosition("16/B374D848"))
    #expect(position.value == 0x16_B374_D848)
    #expect(position.description == "16/B374D848")
    #expect(WALPosition("0/0") == WALPosition(0))
    #expect(try #require(WALPosition("1/0")) > #require(WALPosition("0/FFFFFFFF")))
    for bad in ["", "16", "16/", "/1", "G/1", "1/2/3", "123456789/0", " 1/0", "1/0 "] {
      #expect(WALPosition(bad) == nil, "\(bad)")
    }
  }

  @Test("a fresh replica that has replayed the caller's write serves the read")
  func freshAndReplayed() {
    let route = ReadRoute.decide(staleness: .milliseconds(100), replayed: WALPosition(500), required: WALPosition(400), bound: self.bound, waited: false)
    #expect(route == .replica)
    #expect(ReadRoute.decide(staleness: .zero, replayed: WALPosition(1), required: nil, bound: self.bound, waited: false) == .replica)
    #expect(ReadRoute.decide(staleness: self.bound, replayed: WALPosition(1), required: nil, bound: self.bound, waited: false) == .replica)
  }

  @Test("a replica behind the caller's write is waited for once, then the primary serves")
  func behindTheCallersWrite() {
    let required = WALPosition(600)
    #expect(ReadRoute.decide(staleness: .zero, replayed: WALPosition(500), required: required, bound: self.bound, waited: false) == .waitForReplay(required))
    #expect(ReadRoute.decide(staleness: .zero, replayed: WALPosition(500), required: required, bound: self.bound, waited: true) == .primary(.behindWrite))
  }

  @Test("past the bound, or unmeasured, the primary serves without waiting")
  func staleOrUnknown() {
    #expect(ReadRoute.decide(staleness: .milliseconds(2001), replayed: WALPosition(9), required: nil, bound: self.bound, waited: false) == .primary(.replicaLagging))
    #expect(ReadRoute.decide(staleness: .seconds(5), replayed: WALPosition(1), required: WALPosition(9), bound: self.bound, waited: false) == .primary(.replicaLagging))
    #expect(ReadRoute.decide(staleness: nil, replayed: nil, required: nil, bound: self.bound, waited: false) == .primary(.replicaUnknown))
    #expect(ReadRoute.decide(staleness: .zero, replayed: nil, required: nil, bound: self.bound, waited: false) == .primary(.replicaUnknown))
  }

  @Test("lag: a replica that replays each sampled position is as stale as the time since that sample")
  func lagFollowsSamples() throws {
    var lag = ReplicaLag(horizon: .seconds(4))
    #expect(lag.staleness(at: self.start) == nil)
    lag.primary(WALPosition(100), at: self.start)
    lag.replica(replayed: WALPosition(100))
    #expect(lag.staleness(at: self.start + .milliseconds(50)) == .milliseconds(50))
    // The primary moves on; the replica stays at 100: its age grows from the last match.
    lag.primary(WALPosition(200), at: self.start + .seconds(1))
    lag.replica(replayed: WALPosition(100))
    lag.primary(WALPosition(300), at: self.start + .seconds(2))
    lag.replica(replayed: WALPosition(250))
    #expect(lag.staleness(at: self.start + .seconds(3)) == .seconds(2))
    // It catches up with the sample at 2 s.
    lag.replica(replayed: WALPosition(300))
    #expect(lag.staleness(at: self.start + .seconds(3)) == .seconds(1))
  }

  @Test("lag: an idle primary keeps a paused replica fresh, because there is nothing to replay")
  func idlePrimary() {
    var lag = ReplicaLag(horizon: .seconds(4))
    for second in 0..<10 {
      lag.primary(WALPosition(100), at: self.start + .seconds(second))
      lag.replica(replayed: WALPosition(100))
    }
    #expect(lag.staleness(at: self.start + .milliseconds(9_100)) == .milliseconds(100))
  }

  @Test("lag: unknown while the replica does not answer, and known again once it does")
  func unreachable() {
    var lag = ReplicaLag(horizon: .seconds(4))
    lag.primary(WALPosition(100), at: self.start)
    lag.replica(replayed: WALPosition(100))
    lag.replicaUnreachable()
    #expect(lag.staleness(at: self.start + .milliseconds(10)) == nil)
    lag.primary(WALPosition(100), at: self.start + .seconds(1))
    lag.replica(replayed: WALPosition(100))
    #expect(lag.staleness(at: self.start + .seconds(1)) == .zero)
    // A read endpoint that is no standby at all is as current as the primary.
    lag.primary(WALPosition(900), at: self.start + .seconds(2))
    lag.replicaIsPrimary()
    #expect(lag.staleness(at: self.start + .seconds(2)) == .zero)
  }

  @Test("lag: a replica far behind every kept sample only grows staler")
  func farBehind() {
    var lag = ReplicaLag(horizon: .seconds(1))
    lag.primary(WALPosition(100), at: self.start)
    lag.replica(replayed: WALPosition(100))
    for second in 1...10 {
      lag.primary(WALPosition(100 + UInt64(second) * 100), at: self.start + .seconds(second))
      lag.replica(replayed: WALPosition(150))
    }
    #expect(lag.staleness(at: self.start + .seconds(10)) == .seconds(10))
  }

  @Test("recent writes: an account's newest position is kept for the window, then forgotten")
  func recentWrites() {
    let writes = RecentWrites(window: .seconds(2))
    writes.record(account: 7, position: WALPosition(500), at: self.start)
    writes.record(account: 7, position: WALPosition(400), at: self.start + .milliseconds(10))
    #expect(writes.position(for: 7, at: self.start + .seconds(1)) == WALPosition(500))
    #expect(writes.position(for: 8, at: self.start + .seconds(1)) == nil)
    #expect(writes.position(for: 7, at: self.start + .seconds(3)) == nil)
  }

  @Test("recent writes: once many accounts are held, expired ones are swept out and live ones kept")
  func recentWritesSweep() {
    let writes = RecentWrites(window: .seconds(2))
    for account in 0..<Int64(RecentWrites.sweepAbove) {
      writes.record(account: account, position: WALPosition(UInt64(account)), at: self.start)
    }
    #expect(writes.count == RecentWrites.sweepAbove)
    // Three seconds on, every entry above has expired: the next write sweeps them all out.
    let later = self.start + .seconds(3)
    writes.record(account: 100_000, position: WALPosition(9), at: later)
    #expect(writes.count == 1)
    // Live accounts past the threshold: none is dropped.
    for account in 200_000..<Int64(200_000 + RecentWrites.sweepAbove + 500) {
      writes.record(account: account, position: WALPosition(UInt64(account)), at: later)
    }
    #expect(writes.count == RecentWrites.sweepAbove + 501)
    #expect(writes.position(for: 100_000, at: later) == WALPosition(9))
    #expect(writes.position(for: 200_000, at: later) == WALPosition(200_000))
    #expect(writes.position(for: 0, at: later) == nil)
  }

  @Test("every method the replica may serve is a unary method of a database service, and none writes an audit entry")
  func readMethods() throws {
    let databaseServices = Set(DatabaseServices.names)
    for method in ReplicaReadMethods.all.sorted() {
      let entry = try #require(MethodRegistry.entries[method], "\(method) is not a method of the protos")
      #expect(!entry.clientStreaming && !entry.serverStreaming, "\(method) streams")
      #expect(databaseServices.contains(entry.descriptor.service.fullyQualifiedService), "\(method) is not a database service's")
    }
    // Reads that audit what they show, and the audit trail itself, stay on the primary.
    for audited in ["civicgrid.v1.People/GetPerson", "civicgrid.v1.People/GetHousehold", "civicgrid.v1.People/ListCorrections", "civicgrid.v1.Audit/ListAudit"] {
      #expect(!ReplicaReadMethods.all.contains(audited), "\(audited)")
    }
  }
}
