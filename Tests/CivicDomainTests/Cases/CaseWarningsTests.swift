import CivicDomain
import Testing

@Suite("Case warnings", .timeLimit(.minutes(1)))
struct CaseWarningsTests {
  @Test("a case reports its own level and each open task's, and the earliest next change among them")
  func levels() throws {
    let c = try submitted().dispatched()
    let warnings = try c.warnings(at: at("2026-03-03 10:00"), in: china)
    // Case: 5 days to 9 March, yellow from close on 6 March. Tasks: 2 days to 4 March, yellow from close on 3 March.
    #expect(warnings.case == WarningStatus(level: .green, nextChange: at("2026-03-06 17:30")))
    #expect(
      warnings.tasks == [
        1: WarningStatus(level: .green, nextChange: at("2026-03-03 17:30")),
        2: WarningStatus(level: .green, nextChange: at("2026-03-03 17:30")),
      ]
    )
    #expect(warnings.nextChange == at("2026-03-03 17:30"))
    let oneDone = try c.approved(1, "2026-03-03 10:00")
    #expect(try oneDone.warnings(at: at("2026-03-04 10:00"), in: china).tasks.keys.sorted() == [2])
    #expect(try oneDone.warnings(at: at("2026-03-04 10:00"), in: china).tasks[2]?.level == .red)
  }

  @Test("the item's warning policy travels with the case")
  func itemPolicy() throws {
    var definition = residenceCertificate()
    definition.warningPolicy = try WarningPolicy(remainingWorkingDays: 3, remainingPercent: 0)
    let c = try submitted(item: definition)
    #expect(c.warningPolicy == definition.warningPolicy)
    // Three of five days left: yellow from close on Wednesday 4 March.
    #expect(try c.warnings(at: at("2026-03-02 10:00"), in: china).case?.nextChange == at("2026-03-04 17:30"))
  }

  @Test("an immediate case has no clock and so no warnings")
  func immediate() throws {
    let c = try submitted(provided: ["id-card"], item: elderlyCard())
    let warnings = try c.warnings(at: at("2026-03-02 10:00"), in: china)
    #expect(warnings.case == nil)
    #expect(warnings.nextChange == nil)
  }
}
