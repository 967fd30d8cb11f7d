import CivicDomain
import Testing

/// The field event kind as pure values: its table, each command and its refusal, the plan
/// growing one stage per routing or check, and declared events.
@Suite("Field event kind", .timeLimit(.minutes(1)))
struct FieldEventKindTests {
  static let kind = FieldEventKind.fieldEvent
  static let worker = Party.staff("gw-g01", unit: "G01")

  static func reported() throws -> Case {
    try Case.reportFieldEvent(id: "C1", title: "safety hazard · 3 Elm St", channel: .doorToDoor, at: at("2026-03-02 10:00"), by: worker)
      .case
  }

  static func run(_ value: Case, _ command: FieldEventCommand, _ time: String = "2026-03-02 12:00", by party: Party = worker) throws
    -> CaseChange
  {
    try value.applying(command, of: kind, expectedVersion: value.version, at: at(time), by: party)
  }

  @Test("a report is a fieldEvent case in state reported, without tasks or plan stages; registered")
  func report() throws {
    let change = try Case.reportFieldEvent(id: "C1", title: "t", channel: .mobile, at: at("2026-03-02 10:00"), by: .applicant)
    #expect(change.case.kind == "fieldEvent" && change.case.state == .reported && change.case.tasks.isEmpty)
    #expect(change.case.plan?.stages.isEmpty == true)
    #expect(change.events.map(\.kind.name) == ["submitted"])
    #expect(CaseKinds.named("fieldEvent")?.name == "fieldEvent")
    #expect(!CaseKinds.isOpen(kind: "fieldEvent", state: .closed) && !CaseKinds.isOpen(kind: "fieldEvent", state: .forwarded))
    #expect(CaseKinds.isOpen(kind: "fieldEvent", state: .checking))
  }

  @Test("route opens a task on the unit within the limit; the unit's handling approves it; close ends it with the opinions")
  func routeHandleClose() throws {
    let routed = try Self.run(try Self.reported(), .route(unit: "S01", limit: .workingHours(4)), by: .system)
    #expect(routed.case.state == .routed && routed.case.tasks.map(\.unit) == ["S01"])
    #expect(routed.case.tasks[0].clock.limit == .workingHours(4))
    let handled = try Self.run(routed.case, .handle(evidence: "fixed the cover"), by: .staff("h-s01", unit: "S01"))
    #expect(
      handled.case.state == .handled && handled.case.tasks[0].state == .approved && handled.case.tasks[0].opinion == "fixed the cover"
    )
    #expect(throws: DomainError.self) { try Self.run(routed.case, .handle(evidence: "  ")) }
    let closed = try Self.run(handled.case, .close(note: ""))
    #expect(
      closed.case.state == .closed
        && closed.case.result == .approved(opinions: [TaskOpinion(task: 1, unit: "S01", approved: true, opinion: "fixed the cover")])
    )
    for change in [routed, handled, closed] {
      for event in change.events { #expect(Self.kind.timelineEvents.contains(event.kind.name), "\(event.kind.name)") }
    }
  }

  @Test("on the spot: handled at once, or checking with the street's task when sampled; the check confirms or sends it back to be routed")
  func onTheSpot() throws {
    let plain = try Self.run(try Self.reported(), .handleOnSpot(evidence: "moved the bins", check: nil))
    #expect(plain.case.state == .handled && plain.case.tasks.isEmpty)
    let check = StagePlan(units: ["S01"], limit: .workingDays(3))
    let sampled = try Self.run(try Self.reported(), .handleOnSpot(evidence: "moved the bins", check: check))
    #expect(sampled.case.state == .checking && sampled.case.tasks.map(\.unit) == ["S01"])
    let street = Party.staff("h-s01", unit: "S01")
    let confirmed = try Self.run(sampled.case, .check(confirmed: true, note: ""), by: street)
    #expect(confirmed.case.state == .handled)
    #expect(throws: DomainError.invalidField("note", "must not be empty")) {
      try Self.run(sampled.case, .check(confirmed: false, note: ""), by: street)
    }
    let failed = try Self.run(sampled.case, .check(confirmed: false, note: "bins still there"), by: street)
    #expect(failed.case.state == .reported && failed.case.tasks[0].state == .denied)
    // Routed after the failed check: the plan grows, the new task is stage 2.
    let rerouted = try Self.run(failed.case, .route(unit: "UM", limit: .workingDays(5)), by: .system)
    #expect(rerouted.case.tasks.map(\.unit) == ["S01", "UM"] && rerouted.case.tasks[1].stage == 1 && rerouted.case.plan?.stages.count == 2)
  }

  @Test("forward ends it as forwarded with the request named; illegal moves answer the state")
  func forwardAndIllegal() throws {
    let forwarded = try Self.run(try Self.reported(), .forward(request: "C00000009"))
    #expect(forwarded.case.state == .forwarded)
    #expect(
      forwarded.case.result
        == .approved(opinions: [TaskOpinion(task: 0, unit: "", approved: true, opinion: "forwarded as request C00000009")])
    )
    #expect(throws: DomainError.self) { try Self.run(try Self.reported(), .close(note: "")) }
    #expect(throws: DomainError.self) { try Self.run(forwarded.case, .route(unit: "S01", limit: .workingDays(1))) }
    #expect(Self.kind.action(of: .handleOnSpot(evidence: "e", check: nil)) == .handleOnSpot)
    #expect(Self.kind.action(of: .check(confirmed: false, note: "n")) == .failCheck)
  }
}
