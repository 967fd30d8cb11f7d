import CivicDomain
import CivicProtos
import CivicStore
import Foundation
import SwiftProtobuf
import Testing

@testable import CivicServices

/// The columns cases are read from without their snapshot (migration 0012): `clocks` in the
/// stored format, and what ListCases shows, written by CaseRepository and backfilled by the
/// migration from rows written before it.
@Suite("Cases stored for reading: clocks column, ListCases from columns, migration 0012", .serialized, .timeLimit(.minutes(5)))
struct CaseReadColumnsTests {
  /// One case whose clocks have every part: the case clock paused and resumed (a supplement)
  /// and extended twice, task 1 extended twice and stopped (approved). `checkpoint` sees it
  /// there and once more when every task is approved (case clock stopped, result approved).
  static func drive(_ f: CaseFixture, checkpoint: (_ id: String) async throws -> Void) async throws {
    try await f.publishItem()
    var request = f.application()
    request.providedMaterials = ["hukou"]
    var c = try await f.call(f.clerk) { try await f.cases.submitApplication(request: request, context: $0) }
    var ask = Civicgrid_V1_CaseRequest()
    ask.caseID = c.id
    ask.expectedVersion = c.version
    c = try await f.call(f.clerk) { try await f.cases.requestSupplement(request: ask, context: $0) }
    var supply = Civicgrid_V1_SupplyMaterialsRequest()
    supply.caseID = c.id
    supply.expectedVersion = c.version
    supply.materials = ["id-card"]
    c = try await f.call(f.clerk) { try await f.cases.supplyMaterials(request: supply, context: $0) }
    var accept = Civicgrid_V1_AcceptCaseRequest()
    accept.caseID = c.id
    accept.expectedVersion = c.version
    c = try await f.call(f.clerk) { try await f.cases.acceptCase(request: accept, context: $0) }
    var first = true
    for unit in ["CIVIL", "HR", "FIN"] {
      let handler = f.handler(unit)
      let number = c.tasks.last { $0.unitCode == unit }!.number
      var claim = Civicgrid_V1_TaskRequest()
      claim.caseID = c.id
      claim.task = number
      claim.expectedVersion = c.tasks[Int(number) - 1].version
      c = try await f.call(handler) { try await f.cases.claimTask(request: claim, context: $0) }
      for days in first ? [Int32(1), 2] : [] {
        var more = Civicgrid_V1_RequestExtensionRequest()
        more.caseID = c.id
        more.task = number
        more.expectedVersion = c.tasks[Int(number) - 1].version
        more.workingDays = days
        more.reason = "现场核查 site visit"
        c = try await f.call(handler) { try await f.cases.requestExtension(request: more, context: $0) }
        var decide = Civicgrid_V1_DecideExtensionRequest()
        decide.caseID = c.id
        decide.task = number
        decide.expectedVersion = c.tasks[Int(number) - 1].version
        decide.approve = true
        c = try await f.call(f.supervisor) { try await f.cases.decideExtension(request: decide, context: $0) }
      }
      var approve = Civicgrid_V1_DecideTaskRequest()
      approve.caseID = c.id
      approve.task = number
      approve.expectedVersion = c.tasks[Int(number) - 1].version
      approve.opinion = "\(unit) agrees"
      c = try await f.call(handler) { try await f.cases.approveTask(request: approve, context: $0) }
      if first { try await checkpoint(c.id) }
      first = false
    }
    #expect(c.state == "completed" && c.approved)
    try await checkpoint(c.id)
  }

  /// The stored row of case `id`: its snapshot (binary since migration 0018) and its read columns.
  static func row(_ pool: StorePool, _ id: String) async throws -> (snapshot: Case, clocks: SQLBytes?, stage: Int?, approved: Bool) {
    let row = try await pool.query(
      "SELECT snapshot_bytes, clocks, current_stage, approved FROM cases WHERE id = \(try CaseNumber.parse(id))"
    ).decode((SQLBytes, SQLBytes?, Int?, Bool).self)[0]
    return (try Case(storedBytes: row.0.bytes), row.1, row.2, row.3)
  }

  /// A snapshot as JSON, the form rows had before migration 0018 (keys sorted, as that writer wrote).
  static func json(_ value: Case) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  @Test("the writer stores the snapshot's clocks, stage and result; the migration's SQL writes the same clock bytes")
  func writerMatchesSnapshot() async throws {
    try await CaseFixture.with { f in
      var checked = 0
      try await Self.drive(f) { id in
        let row = try await Self.row(f.pool, id)
        let value = row.snapshot
        #expect(row.clocks == SQLBytes(CaseClocks(value).bytes))
        #expect(try CaseClocks(bytes: #require(row.clocks).bytes) == CaseClocks(value))
        #expect(row.stage == value.currentStage)
        #expect(row.approved == (value.state == .completed))
        let clocks = try #require(CaseClocks(value).clock)
        #expect(!clocks.pauses.isEmpty && !clocks.extensions.isEmpty, "the case clock was paused and extended")
        #expect(value.tasks[0].clock.stoppedAt != nil && value.tasks[0].clock.extensions.count == 2)
        let sql = try await f.pool.query("SELECT case_clocks_bytes(\(try Self.json(value))::jsonb)").scalar(SQLBytes.self)
        #expect(sql == row.clocks, "migration 0012's function and CaseClocks.bytes agree byte for byte")
        checked += 1
      }
      #expect(checked == 2)
    }
  }

  @Test("ListCases shows what GetCase (the snapshot) says for every field it shows, and leaves the rest empty")
  func listEqualsSnapshot() async throws {
    try await CaseFixture.with { f in
      try await Self.drive(f) { id in
        // The clock's remaining time and level move with time: GetCase before and after bound them.
        let before = try await f.call(f.admin) { try await f.cases.getCase(request: .with { $0.caseID = id }, context: $0) }
        let listed = try await f.call(f.admin) { try await f.cases.listCases(request: .with { $0.pageSize = 1 }, context: $0) }
        let after = try await f.call(f.admin) { try await f.cases.getCase(request: .with { $0.caseID = id }, context: $0) }
        let entry = try #require(listed.cases.first)
        #expect(entry.id == id)
        #expect(entry.hasClock)
        #expect(before.clock.remainingWorkingSeconds >= entry.clock.remainingWorkingSeconds)
        #expect(entry.clock.remainingWorkingSeconds >= after.clock.remainingWorkingSeconds)
        #expect(
          before.clock.warning.rawValue <= entry.clock.warning.rawValue && entry.clock.warning.rawValue <= after.clock.warning.rawValue
        )
        var expected = before
        expected.clock.remainingWorkingSeconds = entry.clock.remainingWorkingSeconds
        expected.clock.warning = entry.clock.warning
        // What only the snapshot holds, which a list does not decode.
        expected.tasks = []
        expected.timeline = []
        expected.requiredMaterials = []
        expected.providedMaterials = []
        expected.missingMaterials = []
        expected.missingMaterialsDueBy = ""
        expected.opinions = []
        expected.refusalReason = ""
        expected.delivery = .unspecified
        #expect(entry == expected)
        #expect(!before.tasks.isEmpty && !before.clock.pauses.isEmpty && !before.clock.extensions.isEmpty)
      }
    }
  }

  @Test("0012 upgrades rows written in the old format: clocks, stage and result from the JSON snapshot (0036: clocks in format 2); an unreadable one gets NULL")
  func migrationUpgradesOldRows() async throws {
    var snapshots: [String] = []
    try await CaseFixture.with { f in
      try await Self.drive(f) { id in snapshots.append(try Self.json(try await Self.row(f.pool, id).snapshot)) }
    }
    let malformed = #"{"tasks": [{"unit": "A"}]}"#
    let migrations = try Migration.bundled()
    try await ScratchDatabase.with(prefix: "civic0012", poolSize: 1, owner: true, logger: CaseFixture.logger) { pool, _ in
      try await Migrator(migrations: migrations.filter { $0.version <= 11 }, logger: CaseFixture.logger).migrate(pool)
      // Rows as 0011 left them; their references are beside the point, so foreign keys and
      // triggers are not enforced.
      try await pool.transaction { connection in
        try await connection.execute("SET LOCAL session_replication_role = replica")
        for (index, snapshot) in (snapshots + [malformed]).enumerated() {
          try await connection.execute(
            """
            INSERT INTO cases (id, kind, state, item_code, item_version, channel, applicant_name, unit_id, jurisdiction,
              is_open, version, snapshot)
            VALUES (\(index + 1), 'serviceApplication', 'x', 'X', 1, 'window', 'A', 1, 'CN', true, 1, \(snapshot)::jsonb)
            """
          )
        }
      }
      try await Migrator(migrations: migrations, logger: CaseFixture.logger).migrate(pool)
      let rows = try await pool.query("SELECT snapshot::text, clocks, current_stage, approved FROM cases ORDER BY id")
        .decode((String, SQLBytes?, Int?, Bool).self)
      try #require(rows.count == 3)
      for row in rows.prefix(2) {
        let value = try JSONDecoder().decode(Case.self, from: Data(row.0.utf8))
        #expect(row.1 == SQLBytes(CaseClocks(value).bytes))
        #expect(row.2 == value.currentStage)
        #expect(row.3 == (value.state == .completed))
      }
      #expect(rows[1].3, "the completed case was approved")
      #expect(rows[2].1 == nil && rows[2].2 == nil && !rows[2].3)
    }
  }
}
