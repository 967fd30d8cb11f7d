import Foundation
import Testing

@testable import civicctl

/// The commit positions civicctl keeps between commands (README, civicctl): parsed as the
/// server writes them, one per server, the larger winning however the writes race.
@Suite("civicctl commit positions", .timeLimit(.minutes(1)))
struct CommitPositionsTests {
  @Test("positions parse and order as PostgreSQL's HEX/HEX; anything else is refused")
  func parsing() {
    #expect(CommitPosition("0/16B3748")?.description == "0/16B3748")
    #expect(CommitPosition("1/0")! > CommitPosition("0/FFFFFFFF")!)
    for bad in ["", "16B3748", "0/", "/1", "0/1/2", "g/1", "0/123456789", "-1/2"] { #expect(CommitPosition(bad) == nil, "\(bad)") }
  }

  @Test("kept beside the config per server, owner-only; a smaller position never replaces a larger one")
  func perServer() throws {
    let root = try ConfigFileTests.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let positions = CommitPositions(config: ConfigFile(path: root + "/civicctl/config.json"))
    #expect(positions.path == root + "/civicctl/config.positions.json")
    #expect(positions.position(for: "h:1") == nil)
    try positions.record(CommitPosition("0/200")!, for: "h:1")
    try positions.record(CommitPosition("0/100")!, for: "h:1")
    try positions.record(CommitPosition("0/50")!, for: "h:2")
    #expect(positions.position(for: "h:1") == CommitPosition("0/200"))
    #expect(positions.position(for: "h:2") == CommitPosition("0/50"))
    let mode = (try FileManager.default.attributesOfItem(atPath: positions.path)[.posixPermissions] as? Int).map { $0 & 0o777 }
    #expect(mode == 0o600)
  }

  @Test("writers racing on one file: the largest position wins and the file stays whole")
  func racing() async throws {
    let root = try ConfigFileTests.temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let positions = CommitPositions(path: root + "/config.positions.json")
    let values = (1...64).map { UInt64($0) * 0x1_0000 }.shuffled()
    try await withThrowingTaskGroup(of: Void.self) { group in
      for value in values {
        group.addTask { try positions.record(CommitPosition(value: value), for: "h:1") }
      }
      try await group.waitForAll()
    }
    #expect(positions.position(for: "h:1") == CommitPosition(value: values.max()!))
  }
}
