import CivicServer
import CivicServices
import CivicStore
import CivicTestSupport
import Foundation
import Testing

/// civicctl's person and household commands against a real server and database (the demo
/// district): a department's CSV imported in batches with a rejected row named by its line,
/// the same file again resuming without duplicates, find (masked), show with a purpose
/// (in full, audited), a clerk's correction, a household.
@Suite("civicctl: person, household", .serialized, .timeLimit(.minutes(5)))
struct CivicctlPeopleTests {
  typealias Session = CivicctlSupervisionTests.Session

  @Test("person import (twice), find, show --purpose, correct; household show")
  func lifecycle() async throws {
    try await ServiceHarness.withServer { harness in
      _ = try await harness.account("dept-civil", unit: "QH", roles: [.handler])
      _ = try await harness.account("clerk-qh", unit: "QH", roles: [.clerk])
      let department = try await Session(harness, as: "dept-civil")
      let clerk = try await Session(harness, as: "clerk-qh")
      let file = FileManager.default.temporaryDirectory.appendingPathComponent("civil-\(UUID().uuidString).csv")
      defer { try? FileManager.default.removeItem(at: file) }
      try """
        id_number,name,phone,grid_unit_code,household_code,address
        110105195303150027,Zhang Xiuying,13800138000,QH-S1-C1-G1,H-9,"Building 3, Room 402"
        110105198001010019,Wang Lei,13900139000,QH-S1-C1-G1,H-9,"Building 3, Room 402"
        12345,Nobody,,QH-S1-C1-G1,,
        110105197001010013,Zhang San,,QH-S1-C1-G2,,
        """.write(to: file, atomically: true, encoding: .utf8)

      let imported = try await department("person", "import", file.path, "--batch-size", "2")
      #expect(imported.status == 0, "\(imported.stderr)")
      #expect(imported.stdout.contains("Imported 4 rows in 2 batches (0 already imported): created 3, merged 0, pending correction 0, rejected 1."))
      #expect(imported.stdout.contains("4  id_number  must be 18 characters"), "\(imported.stdout)")
      let again = try await department("person", "import", file.path, "--batch-size", "2")
      #expect(again.status == 0 && again.stdout.contains("(2 already imported)"), "\(again.stdout)")
      let stored = try await harness.store.query("SELECT count(*)::int FROM people", []).scalar(Int.self)
      #expect(stored == 3)

      let found = try await department("person", "find", "Zhang")
      #expect(found.status == 0 && found.stdout.contains("Zhang Xiuying") && found.stdout.contains("Zhang San"), "\(found.stderr)")
      #expect(found.stdout.contains("110***********0027") && !found.stdout.contains("110105195303150027"))
      let id = try #require(
        try await harness.store.query("SELECT id FROM people WHERE id_number = '110105195303150027'", []).scalar(Int64.self)
      )
      let masked = try await department("person", "show", "\(id)")
      #expect(masked.stdout.contains("nothing (give --purpose)") && masked.stdout.contains("138****8000"))
      let full = try await department("person", "show", "\(id)", "--purpose", "minimum living allowance review")
      #expect(full.status == 0 && full.stdout.contains("110105195303150027") && full.stdout.contains("13800138000"), "\(full.stderr)")
      #expect(full.stdout.contains("department-import, trust 4, dept-civil"))
      let audited = try await harness.store.query(
        "SELECT count(*)::int FROM audit_log WHERE object = $1 AND summary LIKE '%minimum living allowance review%'", ["person/\(id)"]
      ).scalar(Int.self)
      #expect(audited == 1)

      let corrected = try await clerk("person", "correct", "\(id)", "--field", "phone", "--value", "13600136000", "--reason", "new contract shown")
      #expect(corrected.status == 0 && corrected.stdout.contains("phone corrected"), "\(corrected.stderr)")
      let refused = try await clerk("person", "correct", "\(id)", "--field", "shoe_size", "--value", "42", "--reason", "x")
      #expect(refused.status == 3 && refused.stderr.hasPrefix("INVALID_ARGUMENT: field:"))

      let household = try await department("household", "show", "H-9")
      #expect(household.status == 0 && household.stdout.contains("Household H-9 in grid QH-S1-C1-G1: 2 members"), "\(household.stderr)")
    }
  }
}
