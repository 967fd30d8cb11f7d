import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
import SwiftProtobuf
import Testing

@testable import CivicServices

/// The two stored forms of a case snapshot (migration 0018): the server writes binary, reads
/// both, and `civicgridd snapshots convert` moves every case between them without changing
/// what any case says or waking the sweeper.
@Suite("Case snapshots stored binary, JSON rows still read", .timeLimit(.minutes(3)))
struct SnapshotFormTests {
  /// The stored form of case `id`: which of the two columns is set.
  static func form(_ pool: StorePool, _ id: String) async throws -> (binary: Bool, json: Bool) {
    try await pool.query(
      "SELECT snapshot_bytes IS NOT NULL, snapshot IS NOT NULL FROM cases WHERE id = \(try CaseNumber.parse(id))"
    ).decode((Bool, Bool).self)[0]
  }

  static func submit(_ f: CaseFixture, materials: [String] = ["hukou"]) async throws -> Civicgrid_V1_Case {
    var request = f.application()
    request.providedMaterials = materials
    return try await f.call(f.clerk) { try await f.cases.submitApplication(request: request, context: $0) }
  }

  /// GetCase without what depends on the moment of reading: the working seconds left and the
  /// level they give move between two reads during working hours, whatever the stored form.
  static func get(_ f: CaseFixture, _ id: String) async throws -> Civicgrid_V1_Case {
    var read = try await f.call(f.admin) { try await f.cases.getCase(request: .with { $0.caseID = id }, context: $0) }
    read.clock.remainingWorkingSeconds = 0
    read.clock.warning = .unspecified
    for index in read.tasks.indices {
      read.tasks[index].clock.remainingWorkingSeconds = 0
      read.tasks[index].clock.warning = .unspecified
    }
    return read
  }

  @Test("the server writes binary; a case stored as JSON (before 0018) reads the same and is stored binary at its next change")
  func jsonRowsReadAndUpgrade() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let submitted = try await Self.submit(f)
      #expect(try await Self.form(f.pool, submitted.id) == (true, false))
      // The timeline's numbers come from the sequencer after commit: both reads see them numbered.
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool))
      let asBinary = try await Self.get(f, submitted.id)
      let progress = try await SnapshotConversion.run(f.pool, to: .json)
      #expect(progress.converted == 1)
      #expect(try await Self.form(f.pool, submitted.id) == (false, true))
      #expect(try await Self.get(f, submitted.id) == asBinary)

      var ask = Civicgrid_V1_CaseRequest()
      ask.caseID = submitted.id
      ask.expectedVersion = submitted.version
      let changed = try await f.call(f.clerk) { try await f.cases.requestSupplement(request: ask, context: $0) }
      #expect(changed.version == submitted.version + 1)
      #expect(try await Self.form(f.pool, submitted.id) == (true, false))
      let reread = try await Self.get(f, submitted.id)
      #expect(reread.version == changed.version && reread.state == changed.state && reread.clock.pauses == changed.clock.pauses)
    }
  }

  @Test("convert moves every case in batches, both ways; content and the sweeper's next time stay; a second run finds none")
  func convertBothWays() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      var ids: [String] = []
      for _ in 0..<5 { ids.append(try await Self.submit(f).id) }
      // Events are numbered after commit: read them numbered, as the reads after conversion do.
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool))
      var before: [Civicgrid_V1_Case] = []
      for id in ids { before.append(try await Self.get(f, id)) }
      // A next sweep time of the sweeper's own, which only a change of content resets.
      try await f.pool.query("UPDATE case_warnings SET next_at = '2030-01-01T00:00:00Z'")

      for target in [SnapshotForm.json, .binary] {
        var reports: [Int] = []
        let progress = try await SnapshotConversion.run(f.pool, to: target, batchSize: 2) { reports.append($0.converted) }
        #expect(progress == SnapshotConversion.Progress(converted: 5, batches: 3), "\(target)")
        #expect(reports == [2, 4, 5])
        #expect(try await SnapshotConversion.forms(f.pool) == [.binary: target == .binary ? 5 : 0, .json: target == .json ? 5 : 0])
        var after: [Civicgrid_V1_Case] = []
        for id in ids { after.append(try await Self.get(f, id)) }
        #expect(after == before, "\(target)")
        let untouched = try await f.pool.query("SELECT count(*) FROM case_warnings WHERE next_at = '2030-01-01T00:00:00Z'").scalar(Int.self)
        #expect(untouched == 5, "a conversion does not make the cases due")
        #expect(try await SnapshotConversion.run(f.pool, to: target) == SnapshotConversion.Progress())
      }

      // A real change still makes its case due.
      var ask = Civicgrid_V1_CaseRequest()
      ask.caseID = ids[0]
      ask.expectedVersion = before[0].version
      _ = try await f.call(f.clerk) { try await f.cases.requestSupplement(request: ask, context: $0) }
      let due = try await f.pool.query(
        "SELECT next_at = '-infinity' FROM case_warnings WHERE case_id = \(try CaseNumber.parse(ids[0]))"
      ).scalar(Bool.self)
      #expect(due == true)
    }
  }

  @Test("a row holds exactly one form: neither or both is refused by the database")
  func exactlyOneForm() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let id = try CaseNumber.parse(try await Self.submit(f).id)
      await #expect(throws: StoreError.self) { try await f.pool.query("UPDATE cases SET snapshot_bytes = NULL WHERE id = \(id)") }
      await #expect(throws: StoreError.self) { try await f.pool.query("UPDATE cases SET snapshot = '{}'::jsonb WHERE id = \(id)") }
      do {
        try await f.pool.query("UPDATE cases SET snapshot_bytes = NULL WHERE id = \(id)")
      } catch let error as StoreError {
        #expect(error.sqlState == "23514", "check_violation")
      }
    }
  }
}
