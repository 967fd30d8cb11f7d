import CivicDomain
import Testing

/// The kind registry and the one task lifecycle every kind goes through, as pure values.
@Suite("Case kinds", .timeLimit(.minutes(1)))
struct CaseKindsTests {
  static let order = ItemRef(code: "SUPERVISION-ORDER", version: 1)

  @Test("the registry names every kind once, finds each by its stored name and no other")
  func registry() {
    let names = CaseKinds.all.map(\.name)
    #expect(names == ["serviceApplication", "supervisionOrder", "inspectionFinding", "rectification", "dispute", "citizenRequest", "fieldEvent"])
    #expect(Set(names).count == names.count)
    for name in names { #expect(CaseKinds.named(name)?.name == name) }
    #expect(CaseKinds.named("grievance") == nil)
  }

  @Test("each kind owns its end states: closed ends an order only, rectified a rectification only; an unknown kind stays open")
  func endStates() {
    #expect(!CaseKinds.isOpen(kind: "supervisionOrder", state: .closed))
    #expect(CaseKinds.isOpen(kind: "serviceApplication", state: .closed))
    #expect(!CaseKinds.isOpen(kind: "rectification", state: .rectified))
    #expect(!CaseKinds.isOpen(kind: "rectification", state: .voided))
    #expect(CaseKinds.isOpen(kind: "supervisionOrder", state: .rectified))
    #expect(!CaseKinds.isOpen(kind: "serviceApplication", state: .refused))
    #expect(CaseKinds.isOpen(kind: "serviceApplication", state: .inProcessing))
    #expect(CaseKinds.isOpen(kind: "grievance", state: .closed))
    #expect(!CaseKinds.isOpen(kind: "dispute", state: .closed))
  }

  @Test("the indicators take service applications as case facts and supervision orders as replies, from the registry")
  func indicatorContributions() {
    #expect(CaseKinds.names(contributing: .caseFacts) == ["serviceApplication"])
    #expect(CaseKinds.names(contributing: .replies) == ["supervisionOrder"])
  }

  @Test("the sweeper proposes orders for overdue applications and rectifications, never for orders or findings; an unknown kind's are pressed")
  func proposesOrders() {
    #expect(CaseKinds.proposesOrders(kind: "serviceApplication"))
    #expect(CaseKinds.proposesOrders(kind: "rectification"))
    #expect(!CaseKinds.proposesOrders(kind: "supervisionOrder"))
    #expect(!CaseKinds.proposesOrders(kind: "inspectionFinding"))
    #expect(CaseKinds.proposesOrders(kind: "grievance"))
    #expect(CaseKinds.proposesOrders(kind: "dispute"))
  }

  @Test("only citizens' requests give a command when a clock runs out, so the sweeper loads no other kind's cases for one")
  func givesOverdueCommands() {
    #expect(CaseKinds.all.filter { $0 is any OverdueCommandingKind }.map(\.name) == ["citizenRequest"])
    #expect(CaseKinds.givesOverdueCommands(kind: "citizenRequest"))
    #expect(!CaseKinds.givesOverdueCommands(kind: "serviceApplication"))
    #expect(!CaseKinds.givesOverdueCommands(kind: "grievance"), "an unknown kind has no commands")
  }

  @Test("a verb belongs to its kind: a rectification's report is not an application's complete")
  func verbsPerKind() {
    #expect(CasePolicy.rectification.actions == [.handOver, .report, .returnVisit, .void].sorted())
    #expect(!CasePolicy.rectification.allows(.complete, from: .rectifying))
    #expect(!CasePolicy.rectification.allows(.deliver, from: .awaitingReturnVisit))
    #expect(RectificationKind.rectification.action(of: .report(text: "done")) == .report)
    #expect(OrderKind.supervisionOrder.action(of: .reply(text: "done")) == .reply)
  }

  /// The decision that closes a task, for each kind: its task, the case before and after.
  static func decisions() throws -> [(kind: String, task: Int, before: Case, after: CaseChange)] {
    let application = try submitted().dispatched()
    let claimed = try application.run(.claim, task: 1, "2026-03-02 11:00", by: handler("police")).case
    let approved = try claimed.run(.approve(opinion: "ok"), task: 1, "2026-03-02 12:00", by: handler("police"))

    let issued = try Case.issueOrder(
      id: "C2", item: Self.order, title: "Backlog", to: "S01", replyWithin: .workingDays(2), at: at("2026-03-02 10:00"), by: supervisor
    ).case
    let acknowledged = try issued.applying(.acknowledge, expectedVersion: issued.version, at: at("2026-03-02 11:00"), by: handler("S01")).case
    let replied = try acknowledged.applying(.reply(text: "done"), expectedVersion: acknowledged.version, at: at("2026-03-02 12:00"), by: handler("S01"))

    let opened = try Case.openRectification(
      id: "C3", item: ItemRef(code: "RECTIFICATION", version: 1), title: "rude", for: "centre", at: at("2026-03-02 10:00"), by: supervisor
    ).case
    let reported = try opened.applying(.report(text: "trained"), expectedVersion: opened.version, at: at("2026-03-02 12:00"), by: handler("centre"))
    return [("serviceApplication", 1, claimed, approved), ("supervisionOrder", 1, acknowledged, replied), ("rectification", 1, opened, reported)]
  }

  @Test("every kind closes a task through one lifecycle: approved once, its clock stopped, its version raised by one")
  func oneTaskLifecycle() throws {
    for (kind, number, before, after) in try Self.decisions() {
      let task = try after.case.task(number)
      #expect(task.state == .approved, "\(kind)")
      #expect(task.clock.stoppedAt == at("2026-03-02 12:00"), "\(kind)")
      #expect(task.version == (try before.task(number).version) + 1, "\(kind)")
      #expect(after.events.filter { $0.task == number && $0.kind.name == "taskApproved" }.count == 1, "\(kind)")
    }
  }

  @Test("every event a kind's commands emit is one its registration declares")
  func declaredEvents() throws {
    for (kind, _, _, after) in try Self.decisions() {
      let declared = try #require(CaseKinds.named(kind)).timelineEvents
      for event in after.events { #expect(declared.contains(event.kind.name), "\(kind) emitted \(event.kind.name)") }
    }
  }
}
