import CivicDomain
import Testing

/// Ending and amending a contract as pure values (docs/CONTRACTS.md, "Ending and amending"):
/// which days and terms may change on a day, the version each change makes and its summary.
@Suite("Service contract changes", .timeLimit(.minutes(1)))
struct ContractChangeRulesTests {
  static let today = CivilDate("2026-06-15")!

  static func contract(_ starts: String = "2026-01-01", _ ends: String = "2026-12-31") -> ServiceContract {
    ServiceContract(
      id: 7, purchaserCode: "D01", organisationCode: "SO1", title: "Mediation", itemCodes: ["DISPUTE"], startsOn: CivilDate(starts)!,
      endsOn: CivilDate(ends)!, amountFen: 100, targets: ContractTargets(tasks: 5, onTimePercent: 90, satisfiedPercent: 0), createdBy: "admin"
    )
  }

  /// The field a refused change names (nil when it is not refused).
  static func field(_ body: () throws -> ServiceContract) -> String? {
    do {
      _ = try body()
      return nil
    } catch DomainError.invalidField(let field, _) {
      return field
    } catch {
      return "\(error)"
    }
  }

  @Test("ending early: a new version whose last day is from yesterday to before the current last day; status ended after it")
  func end() throws {
    let ended = try Self.contract().ended(lastDay: Self.today.adding(days: -1), reason: "licence lost", today: Self.today)
    #expect(ended.version == 2 && ended.endReason == "licence lost" && ended.status(on: Self.today) == "ended")
    #expect(ended.changes(from: Self.contract()) == ["ends_on 2026-12-31 → 2026-06-14"])
    #expect(Self.field { try Self.contract().ended(lastDay: Self.today.adding(days: -2), reason: "x", today: Self.today) } == "ends_on")
    #expect(Self.field { try Self.contract().ended(lastDay: CivilDate("2026-12-31")!, reason: "x", today: Self.today) } == "ends_on")
  }

  @Test("an upcoming contract may end the day before its first: it covers no day and reads as ended")
  func cancelUpcoming() throws {
    let upcoming = Self.contract("2026-09-01", "2026-12-31")
    let ended = try upcoming.ended(lastDay: CivilDate("2026-08-31")!, reason: "budget withdrawn", today: Self.today)
    #expect(ended.status(on: Self.today) == "ended")
    #expect(Self.field { try upcoming.ended(lastDay: CivilDate("2026-08-30")!, reason: "x", today: Self.today) } == "ends_on")
  }

  @Test("an ended contract, early or at the end of its period, is not changed again")
  func ended() throws {
    let early = try Self.contract().ended(lastDay: Self.today, reason: "licence lost", today: Self.today)
    #expect(throws: DomainError.self) { try early.amended(ContractAmendment(amountFen: 5), today: Self.today) }
    let past = Self.contract("2025-01-01", "2025-12-31")
    #expect(throws: DomainError.self) { try past.ended(lastDay: Self.today, reason: "x", today: Self.today) }
  }

  @Test("amending: the first day moves only before the contract begins; the last day not before today nor the first; a no-op is refused")
  func amend() throws {
    let amended = try Self.contract().amended(
      ContractAmendment(itemCodes: ["home-care", "DISPUTE"], endsOn: CivilDate("2027-06-30")!, targets: ContractTargets(tasks: 8, onTimePercent: 90, satisfiedPercent: 0)),
      today: Self.today
    )
    #expect(amended.version == 2 && amended.itemCodes == ["DISPUTE", "home-care"])
    #expect(amended.changes(from: Self.contract()) == ["item_codes +home-care", "ends_on 2026-12-31 → 2027-06-30", "targets.tasks 5 → 8"])
    #expect(Self.field { try Self.contract().amended(ContractAmendment(startsOn: CivilDate("2026-07-01")!), today: Self.today) } == "starts_on")
    #expect(Self.field { try Self.contract().amended(ContractAmendment(endsOn: CivilDate("2026-06-14")!), today: Self.today) } == "ends_on")
    #expect(Self.field { try Self.contract().amended(ContractAmendment(amountFen: 100), today: Self.today) } == "amendment")
    let upcoming = Self.contract("2026-09-01", "2026-12-31")
    #expect(try upcoming.amended(ContractAmendment(startsOn: CivilDate("2026-08-01")!), today: Self.today).startsOn == CivilDate("2026-08-01")!)
    #expect(Self.field { try upcoming.amended(ContractAmendment(startsOn: CivilDate("2027-01-02")!), today: Self.today) } == "ends_on")
  }

  @Test("work refused after an early end names the end, not the period")
  func coverageAfterEnd() {
    let candidate = ContractCoverage.Candidate(id: 3, startsOn: CivilDate("2026-01-01")!, endsOn: CivilDate("2026-06-01")!, coversItem: true, endedEarly: true)
    let result = ContractCoverage.contract(for: "DISPUTE", at: "SO1", on: Self.today, among: [candidate])
    let refusal = ContractRefusal(organisationCode: "SO1", itemCode: "DISPUTE", day: Self.today, reason: .endedEarly(contractID: 3, lastDay: CivilDate("2026-06-01")!))
    #expect(result == .failure(refusal))
    #expect(refusal.description.hasSuffix("contract SC000003 covering the item was ended early, its last day 2026-06-01"))
  }
}
