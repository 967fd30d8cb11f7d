import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import Testing

/// ImportPeople: a department's list batch by batch, with a report per row, each batch
/// committed whole with its key, and a batch key sent again answering its first report
/// (docs/PEOPLE.md, "Bulk import").
@Suite("People: import", .serialized, .timeLimit(.minutes(5)))
struct PeopleImportTests {
  /// A distinct valid ID number per `n` (0–9999): born 1980-01-01 plus n days' worth of sequence.
  static func idNumber(_ n: Int) -> String {
    "11010519800101" + String(format: "%03d", n % 1000) + String(n / 1000 % 10)
  }

  static func row(_ n: Int, grid: String) -> Civicgrid_V1_PersonInput {
    var input = Civicgrid_V1_PersonInput()
    input.idNumber = Self.idNumber(n)
    input.name = "Resident \(n)"
    input.phone = "1380000\(String(format: "%04d", n))"
    input.gridUnitCode = grid
    input.residence = n % 5 == 0 ? .floating : .registered
    return input
  }

  @Test("an import reports every row: created, merged, pending correction, rejected with the field and reason")
  func perRowReport() async throws {
    try await PeopleFixture.with { f in
      let existing = try await f.register(PeopleFixture.input()).person.personID
      var noGrid = Self.row(2, grid: "")
      noGrid.gridUnitCode = ""
      let first = importBatch("civil-1", [
        Self.row(1, grid: "G1"), PeopleFixture.input(), PeopleFixture.input("12345"), noGrid, Self.row(3, grid: "NOPE"),
      ])
      var declared = importBatch("survey-1", [PeopleFixture.input(phone: PeopleFixture.otherPhone)])
      declared.source = .selfDeclared
      let response = try await f.call(f.handler) { try await f.people.importPeople(request: importStream([first, declared]), context: $0) }
      #expect(response.created == 1 && response.merged == 1 && response.pendingCorrection == 1 && response.rejected == 3)
      let rows = response.batches[0].rows
      #expect(rows.map(\.outcome) == [.created, .merged, .rejected, .rejected, .rejected])
      #expect(rows[1].personID == existing)
      #expect(rows[2].field == "rows[2].id_number" && rows[2].reason.hasPrefix("must be 18 characters"))
      #expect(rows[3].field == "rows[3].grid_unit_code" && rows[3].reason == "is required for a new person")
      #expect(rows[4].field == "rows[4].grid_unit_code" && rows[4].reason == "unit NOPE not found in your scope")
      #expect(response.batches[1].rows.map(\.outcome) == [.pendingCorrection])
      #expect(try await f.auditCount("person-import/civil-1", containing: "created 1, merged 1, pendingCorrection 0, rejected 3") == 1)

      // The same key again answers the first report and writes nothing.
      let again = try await f.call(f.handler) { try await f.people.importPeople(request: importStream([first]), context: $0) }
      #expect(again.batches[0].replayed && again.batches[0].rows == rows)
      #expect(try await f.base.pool.query("SELECT count(*)::int FROM people").scalar(Int.self) == 2)
      #expect(try await f.auditCount("person-import/civil-1") == 1)

      let empty = await rpcCode {
        _ = try await f.call(f.handler) { try await f.people.importPeople(request: importStream([importBatch("e", [])]), context: $0) }
      }
      #expect(empty?.0 == .invalidArgument && empty?.1.hasPrefix("batches[0].rows:") == true)
      let twice = await rpcCode {
        let batch = importBatch("k", [Self.row(9, grid: "G1")])
        _ = try await f.call(f.handler) { try await f.people.importPeople(request: importStream([batch, batch]), context: $0) }
      }
      #expect(twice?.0 == .invalidArgument && twice?.1.hasPrefix("batches[1].batch_key:") == true)
    }
  }

  @Test("rows of one person in a batch merge onto each other in order")
  func samePersonTwiceInABatch() async throws {
    try await PeopleFixture.with { f in
      var later = Self.row(5, grid: "G1")
      later.phone = "13911112222"
      let response = try await f.call(f.handler) {
        try await f.people.importPeople(request: importStream([importBatch("b", [Self.row(5, grid: "G1"), later])]), context: $0)
      }
      #expect(response.batches[0].rows.map(\.outcome) == [.created, .merged])
      #expect(response.batches[0].rows[0].personID == response.batches[0].rows[1].personID)
      let phone = try await f.base.pool.query("SELECT value FROM person_fields WHERE field = 'phone'").scalar(String.self)
      #expect(phone == "13911112222")
    }
  }

  @Test("a connection dropped mid-import leaves whole batches only; sending every batch again resumes without duplicates")
  func droppedConnectionResumed() async throws {
    try await ServiceHarness.withServer { harness in
      let token = try await harness.account("dept-civil", unit: "QH", roles: [.handler])
      let people = Civicgrid_V1_People.Client(wrapping: harness.client)
      let batches = (0..<3).map { b in importBatch("civil-\(b)", (0..<200).map { Self.row(b * 200 + $0, grid: "QH-S1-C1-G1") }) }
      struct Dropped: Error {}
      let store = harness.store
      await #expect(throws: (any Error).self) {
        _ = try await people.importPeople(metadata: .bearer(token)) { writer in
          try await writer.write(batches[0])
          // Once the first batch is committed, send the second and drop the call while it is in flight.
          while try await store.query("SELECT count(*)::int FROM person_import_batches", []).scalar(Int.self) != 1 {
            try await Task.sleep(for: .milliseconds(20))
          }
          try await writer.write(batches[1])
          throw Dropped()
        }
      }
      // Whole batches only: each key has all of its 200 rows and people, or nothing.
      let keys = try await store.query("SELECT batch_key, (SELECT count(*)::int FROM person_import_rows r WHERE r.batch_key = b.batch_key) FROM person_import_batches b ORDER BY 1", [])
        .decode((String, Int).self)
      #expect(keys.first?.0 == "civil-0" && !keys.contains { $0.0 == "civil-2" })
      #expect(keys.allSatisfy { $0.1 == 200 })
      #expect(try await store.query("SELECT count(*)::int FROM people", []).scalar(Int.self) == keys.count * 200)

      let resumed = try await people.importPeople(metadata: .bearer(token)) { writer in
        for batch in batches { try await writer.write(batch) }
      }
      #expect(resumed.batches.map(\.replayed) == keys.map { _ in true } + Array(repeating: false, count: 3 - keys.count))
      #expect(resumed.batches.allSatisfy { $0.rows.count == 200 && $0.rows.allSatisfy { $0.outcome == .created } })
      #expect(resumed.created == 600 && resumed.rejected == 0)
      #expect(try await store.query("SELECT count(*)::int FROM people", []).scalar(Int.self) == 600)
    }
  }
}
