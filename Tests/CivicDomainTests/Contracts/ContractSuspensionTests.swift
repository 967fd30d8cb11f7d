import CivicDomain
import Testing

/// A published item's intake while its organisations' contracts end (docs/CONTRACTS.md, "When a
/// contract ends") as pure values: when it is suspended and why, and when the purchaser is told.
@Suite("Service contract suspension and end notice", .timeLimit(.minutes(1)))
struct ContractSuspensionTests {
  static let day = CivilDate("2026-06-15")!

  static func candidate(_ id: Int64, _ starts: String, _ ends: String, covers: Bool = true, early: Bool = false) -> ContractCoverage.Candidate {
    ContractCoverage.Candidate(id: id, startsOn: CivilDate(starts)!, endsOn: CivilDate(ends)!, coversItem: covers, endedEarly: early)
  }

  @Test("no suspension while every organisation has an active covering contract; an organisation without one suspends, naming the contract that ended and when")
  func suspension() {
    let active = [Self.candidate(1, "2026-01-01", "2026-12-31")]
    #expect(ContractSuspension.of(itemCode: "home-care", organisations: ["SO1": active, "SO2": active], on: Self.day) == nil)

    let ended = Self.candidate(2, "2026-01-01", "2026-06-14")
    let suspended = ContractSuspension.of(itemCode: "home-care", organisations: ["SO1": active, "SO2": [ended]], on: Self.day)
    #expect(suspended?.organisationCode == "SO2" && suspended?.contractID == 2 && suspended?.endedOn == CivilDate("2026-06-14"))
    #expect(
      suspended?.description
        == "service purchase contract (政府购买服务): item home-care may not be assigned to organisation SO2: contract SC000002 covers the item "
        + "from 2026-01-01 to 2026-06-14, not on 2026-06-15; intake of item home-care is suspended until a contract covers it again"
    )
    let early = ContractSuspension.of(itemCode: "home-care", organisations: ["SO2": [Self.candidate(3, "2026-01-01", "2026-06-10", early: true)]], on: Self.day)
    #expect(early?.contractID == 3 && early?.endedOn == CivilDate("2026-06-10"))

    // Not begun yet, or no contract at all: suspended, with no end to name.
    let upcoming = ContractSuspension.of(itemCode: "home-care", organisations: ["SO2": [Self.candidate(4, "2026-07-01", "2026-12-31")]], on: Self.day)
    #expect(upcoming?.contractID == 4 && upcoming?.endedOn == nil)
    let none = ContractSuspension.of(itemCode: "home-care", organisations: ["SO2": []], on: Self.day)
    #expect(none?.contractID == nil && none?.endedOn == nil)
  }

  @Test("a new covering contract lifts it: the suspension is computed from the contracts, never stored")
  func lifted() {
    let ended = Self.candidate(2, "2026-01-01", "2026-06-14")
    #expect(ContractSuspension.of(itemCode: "home-care", organisations: ["SO2": [ended]], on: Self.day) != nil)
    #expect(ContractSuspension.of(itemCode: "home-care", organisations: ["SO2": [ended, Self.candidate(5, "2026-06-15", "2027-06-14")]], on: Self.day) == nil)
  }

  @Test("the end notice: only when nothing covers the item the day after; the horizon counts working days, skipping rest days")
  func endNotice() throws {
    let ending = Self.candidate(1, "2026-01-01", "2026-06-19")
    #expect(ContractEndNotice.leavesUncovered(itemCode: "home-care", at: "SO2", after: ending.endsOn, among: [ending]))
    let successor = Self.candidate(2, "2026-06-20", "2027-06-19")
    #expect(!ContractEndNotice.leavesUncovered(itemCode: "home-care", at: "SO2", after: ending.endsOn, among: [ending, successor]))
    let elsewhere = Self.candidate(3, "2026-06-20", "2027-06-19", covers: false)
    #expect(ContractEndNotice.leavesUncovered(itemCode: "home-care", at: "SO2", after: ending.endsOn, among: [ending, elsewhere]))

    // Monday 2026-06-15 (weekend Saturday and Sunday): the 5th working day after is Monday 2026-06-22.
    let calendar = try WorkingCalendar(jurisdiction: "X")
    #expect(try ContractEndNotice.horizon(from: Self.day, workingDays: 5, in: calendar) == CivilDate("2026-06-22"))
  }
}
