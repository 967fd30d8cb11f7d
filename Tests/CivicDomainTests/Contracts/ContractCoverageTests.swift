import CivicDomain
import Testing

/// The contract rule as a pure value (docs/CONTRACTS.md): which contract admits work for an
/// item at an organisation on a day, and the reason named when none does.
@Suite("Service contract coverage", .timeLimit(.minutes(1)))
struct ContractCoverageTests {
  static let day = CivilDate("2026-06-15")!

  static func candidate(_ id: Int64, _ starts: String, _ ends: String, covers: Bool = true) -> ContractCoverage.Candidate {
    ContractCoverage.Candidate(id: id, startsOn: CivilDate(starts)!, endsOn: CivilDate(ends)!, coversItem: covers)
  }

  static func decide(_ candidates: [ContractCoverage.Candidate]) -> Result<Int64, ContractRefusal> {
    ContractCoverage.contract(for: "DISPUTE", at: "SO1", on: Self.day, among: candidates)
  }

  @Test("an organisation with no contract is refused with reason noContract, named in the message")
  func noContract() {
    let refusal = ContractRefusal(organisationCode: "SO1", itemCode: "DISPUTE", day: Self.day, reason: .noContract)
    #expect(Self.decide([]) == .failure(refusal))
    #expect(refusal.description == "service purchase contract (政府购买服务): item DISPUTE may not be assigned to organisation SO1: it holds no service contract")
  }

  @Test("contracts whose scopes lack the item refuse with outsideScope, even when active")
  func outsideScope() {
    let result = Self.decide([Self.candidate(1, "2026-01-01", "2026-12-31", covers: false)])
    #expect(result == .failure(ContractRefusal(organisationCode: "SO1", itemCode: "DISPUTE", day: Self.day, reason: .outsideScope)))
  }

  @Test("a covering contract outside its period refuses naming the nearest one's period; the first and last days are inside")
  func outsidePeriod() {
    let ended = Self.candidate(3, "2025-01-01", "2026-06-14")
    let upcoming = Self.candidate(4, "2026-07-01", "2026-12-31")
    let result = Self.decide([ended, upcoming])
    #expect(result == .failure(ContractRefusal(
      organisationCode: "SO1", itemCode: "DISPUTE", day: Self.day,
      reason: .outsidePeriod(contractID: 3, startsOn: ended.startsOn, endsOn: ended.endsOn)
    )))
    if case .failure(let refusal) = result {
      #expect(refusal.description.hasSuffix("contract SC000003 covers the item from 2025-01-01 to 2026-06-14, not on 2026-06-15"))
    }
    #expect(Self.decide([Self.candidate(5, "2026-06-15", "2026-06-15")]) == .success(5))
  }

  @Test("among active covering contracts the one that started last is chosen")
  func chosen() {
    let result = Self.decide([
      Self.candidate(1, "2026-01-01", "2026-12-31"), Self.candidate(2, "2026-03-01", "2026-12-31"),
      Self.candidate(3, "2026-05-01", "2026-12-31", covers: false),
    ])
    #expect(result == .success(2))
  }

  @Test("publication: a covering contract active or still to begin admits it (the one ending last); a cancelled or ended one refuses as a dispatch would")
  func publication() {
    func publish(_ candidates: [ContractCoverage.Candidate]) -> Result<Int64, ContractRefusal> {
      ContractCoverage.publication(for: "DISPUTE", at: "SO1", from: Self.day, among: candidates)
    }
    let active = Self.candidate(1, "2026-01-01", "2026-06-15")
    let upcoming = Self.candidate(2, "2026-07-01", "2026-12-31")
    #expect(publish([active, upcoming]) == .success(2))
    #expect(publish([active]) == .success(1))
    #expect(publish([upcoming]) == .success(2))
    // Cancelled before its first day: an empty period covers nothing.
    let cancelled = Self.candidate(3, "2026-07-01", "2026-06-30")
    let ended = Self.candidate(4, "2025-01-01", "2026-06-14")
    #expect(publish([cancelled, ended]) == Self.decide([cancelled, ended]))
    #expect(publish([Self.candidate(5, "2026-07-01", "2026-12-31", covers: false)]) == Self.decide([Self.candidate(5, "2026-07-01", "2026-12-31", covers: false)]))
    #expect(publish([]) == .failure(ContractRefusal(organisationCode: "SO1", itemCode: "DISPUTE", day: Self.day, reason: .noContract)))
  }

  @Test("indicators: rates only once there is data, and the targets missed")
  func indicators() {
    let none = ContractIndicators(tasks: 0, finished: 0, onTime: 0, judged: 0, satisfied: 0)
    #expect(none.onTimeRate == nil && none.satisfactionRate == nil)
    #expect(none.missed(ContractTargets(tasks: 10, onTimePercent: 90, satisfiedPercent: 80)) == ["tasks"])
    let some = ContractIndicators(tasks: 12, finished: 4, onTime: 3, judged: 2, satisfied: 2)
    #expect(some.onTimeRate == 0.75 && some.satisfactionRate == 1)
    #expect(some.missed(ContractTargets(tasks: 10, onTimePercent: 90, satisfiedPercent: 80)) == ["on-time"])
  }

  @Test("contract numbers read back, and anything else is nil", arguments: [("SC000042", Int64(42)), ("42", 42), ("SC", nil), ("SC-1", nil), ("0", nil), ("SCx1", nil)])
  func numbers(text: String, id: Int64?) {
    #expect(ServiceContract.id(text) == id)
    if let id { #expect(ServiceContract.number(id) == "SC000042") }
  }
}
