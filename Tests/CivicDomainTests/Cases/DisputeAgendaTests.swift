import CivicDomain
import Testing

/// The weekly agenda's selection and order as a pure function.
@Suite("Dispute agenda", .timeLimit(.minutes(1)))
struct DisputeAgendaTests {
  @Test("high and major risk, overdue routes and escalations are on it, most pressing first; quiet disputes are not")
  func order() {
    let entries: [DisputeAgenda.Entry] = [
      .init(caseID: 1, risk: .low, overdueTasks: [], escalated: false),  // quiet: not on the agenda
      .init(caseID: 2, risk: .medium, overdueTasks: [3], escalated: false),
      .init(caseID: 3, risk: .high, overdueTasks: [], escalated: false),
      .init(caseID: 4, risk: nil, overdueTasks: [], escalated: true),
      .init(caseID: 5, risk: .major, overdueTasks: [], escalated: false),
      .init(caseID: 6, risk: .high, overdueTasks: [1, 2], escalated: false),
      .init(caseID: 7, risk: .low, overdueTasks: [4], escalated: true),
    ]
    let items = DisputeAgenda.items(entries)
    #expect(items.map(\.caseID) == [5, 6, 3, 7, 2, 4])
    #expect(items[1].reasons == ["high risk", "route #1 overdue", "route #2 overdue"])
    #expect(items[3].reasons == ["route #4 overdue", "escalated: a new review is due"])
    #expect(DisputeAgenda.items([]).isEmpty)
  }
}
