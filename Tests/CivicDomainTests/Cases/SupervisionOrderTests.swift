import CivicDomain
import Testing

@Suite("Supervision orders", .timeLimit(.minutes(1)))
struct SupervisionOrderTests {
  let item = ItemRef(code: "SUPERVISION-ORDER", version: 1)

  func issued(_ time: String = "2026-03-02 10:00") throws -> Case {
    try Case.issueOrder(
      id: "C00000009", item: self.item, title: "Backlog", to: "S01", replyWithin: .workingDays(2), at: at(time), by: supervisor
    ).case
  }

  @Test("issued with one task for the unit on its own clock; warned on like any task")
  func issue() throws {
    let order = try self.issued()
    #expect(order.kind == "supervisionOrder" && order.state == .issued && order.clock == nil)
    #expect(order.tasks.map(\.unit) == ["S01"])
    // Two working days from Monday 2 March: due Wednesday 4 March at close.
    #expect(try order.orderTask?.clock.deadline(in: china) == at("2026-03-04 17:30"))
    #expect(try order.warnings(at: at("2026-03-04 10:00"), in: china).tasks[1]?.level == .red)
  }

  @Test("acknowledge, reply, verify: closed; a unit other than the task's gets notFound; illegal steps name the state")
  func lifecycle() throws {
    var order = try self.issued()
    #expect(throws: DomainError.notFound("task 1 of case C00000009")) {
      try order.applying(.acknowledge, expectedVersion: order.version, at: at("2026-03-02 11:00"), by: handler("HR"))
    }
    order = try order.applying(.acknowledge, expectedVersion: order.version, at: at("2026-03-02 11:00"), by: handler("S01")).case
    #expect(order.state == .acknowledged)
    let early = #expect(throws: DomainError.self) {
      try order.applying(.verify(note: ""), expectedVersion: order.version, at: at("2026-03-02 12:00"), by: supervisor)
    }
    #expect(early?.description.contains("is acknowledged") == true)
    order = try order.applying(.reply(text: "done"), expectedVersion: order.version, at: at("2026-03-03 10:00"), by: handler("S01")).case
    #expect(order.state == .replied && order.orderTask?.clock.stoppedAt != nil)
    order = try order.applying(.verify(note: "ok"), expectedVersion: order.version, at: at("2026-03-03 11:00"), by: supervisor).case
    #expect(order.state == .closed)
  }

  @Test("escalation: ordinary → listed at the unit, listed → the parent; each a fresh task and clock; none above the top")
  func escalation() throws {
    let first = try OrderLevel.ordinary.escalation(unit: "S01", parent: "D01")
    #expect(first.level == .listed && first.unit == "S01")
    let second = try OrderLevel.listed.escalation(unit: "S01", parent: "D01")
    #expect(second.level == .listed && second.unit == "D01")
    #expect(throws: DomainError.self) { try OrderLevel.listed.escalation(unit: "D01", parent: nil) }
    var order = try self.issued()
    let change = try order.applying(
      .escalate(reason: "no reply", to: "D01", replyWithin: .workingDays(2)), expectedVersion: order.version, at: at("2026-03-05 10:00"),
      by: supervisor
    )
    order = change.case
    #expect(order.state == .issued)
    #expect(order.tasks.map(\.state) == [.withdrawn, .pending])
    #expect(order.orderTask?.unit == "D01")
    #expect(try order.orderTask?.clock.deadline(in: china) == at("2026-03-09 17:30"))
  }
}
