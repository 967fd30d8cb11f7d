import CivicDomain
import Testing

/// The event routing table as a pure value: validation naming the field, targets per tier,
/// urgent limits in hours, requests forwarding, every-Nth sampling and the urgent due time.
@Suite("Event routing table", .timeLimit(.minutes(1)))
struct EventRoutingTableTests {
  static let places: [RequestTier: UnitID] = [.grid: "G01", .community: "C01", .street: "S01"]

  @Test("targets: the event's community or street, or the department; hours when urgent; requests categories forward")
  func targets() {
    let street = EventRoutingTable.Route(category: .safetyHazard, tier: .street, workingDays: 3, urgentHours: 2)
    #expect(street.target(places: Self.places, urgent: false) == .unit("S01", limit: .workingDays(3)))
    #expect(street.target(places: Self.places, urgent: true) == .unit("S01", limit: .workingHours(2)))
    let department = EventRoutingTable.Route(category: .drugControl, tier: .district, department: "PS", workingDays: 5, urgentHours: 1)
    #expect(department.target(places: [:], urgent: false) == .unit("PS", limit: .workingDays(5)))
    let community = EventRoutingTable.Route(category: .peopleInDifficulty, tier: .community, workingDays: 2, urgentHours: 4)
    #expect(community.target(places: [.street: "S01"], urgent: false) == nil)
    let forward = EventRoutingTable.Route(
      category: .disputeLead,
      tier: .district,
      workingDays: 1,
      urgentHours: 1,
      requestCategory: "dispute"
    )
    #expect(forward.target(places: Self.places, urgent: true) == .requests(category: "dispute"))
  }

  @Test("every Nth self-handled event is checked; 0 checks none")
  func sampling() {
    let route = EventRoutingTable.Route(category: .environment, tier: .street, workingDays: 3, urgentHours: 2, checkOneIn: 3)
    #expect((1...9).filter(route.checks(ordinal:)) == [3, 6, 9])
    let never = EventRoutingTable.Route(category: .environment, tier: .street, workingDays: 3, urgentHours: 2)
    #expect((1...9).filter(never.checks(ordinal:)).isEmpty)
  }

  @Test(
    "validation names the field",
    arguments: [
      ("acknowledge_minutes", EventRoutingTable(routes: [], acknowledgeMinutes: 0)),
      (
        "routes[0].tier",
        EventRoutingTable(routes: [.init(category: .other, tier: .grid, workingDays: 1, urgentHours: 1)], acknowledgeMinutes: 5)
      ),
      (
        "routes[0].department_code",
        EventRoutingTable(routes: [.init(category: .other, tier: .district, workingDays: 1, urgentHours: 1)], acknowledgeMinutes: 5)
      ),
      (
        "routes[0].department_code",
        EventRoutingTable(
          routes: [.init(category: .other, tier: .street, department: "PS", workingDays: 1, urgentHours: 1)],
          acknowledgeMinutes: 5
        )
      ),
      (
        "routes[0].working_days",
        EventRoutingTable(routes: [.init(category: .other, tier: .street, workingDays: 61, urgentHours: 1)], acknowledgeMinutes: 5)
      ),
      (
        "routes[0].urgent_hours",
        EventRoutingTable(routes: [.init(category: .other, tier: .street, workingDays: 1, urgentHours: 0)], acknowledgeMinutes: 5)
      ),
      (
        "routes[0].check_one_in",
        EventRoutingTable(
          routes: [.init(category: .other, tier: .street, workingDays: 1, urgentHours: 1, checkOneIn: -1)],
          acknowledgeMinutes: 5
        )
      ),
      (
        "routes[0].request_category",
        EventRoutingTable(
          routes: [.init(category: .other, tier: .street, workingDays: 1, urgentHours: 1, requestCategory: "a b")],
          acknowledgeMinutes: 5
        )
      ),
      (
        "routes[1].category",
        EventRoutingTable(
          routes: [
            .init(category: .other, tier: .street, workingDays: 1, urgentHours: 1),
            .init(category: .other, tier: .street, workingDays: 1, urgentHours: 1),
          ],
          acknowledgeMinutes: 5
        )
      ),
    ]
  )
  func validation(field: String, table: EventRoutingTable) {
    #expect {
      try table.validate()
    } throws: { error in
      guard case .invalidField(let named, _) = error as? DomainError else { return false }
      return named == field
    }
  }

  @Test("an urgent alert is due the configured minutes after it was sent and escalates only once, unacknowledged")
  func urgentRule() {
    let sent = at("2026-03-02 10:00")
    let due = UrgentAlertRule.due(sentAt: sent, minutes: 15)
    #expect(due == at("2026-03-02 10:15"))
    #expect(!UrgentAlertRule.escalates(due: due, acknowledged: false, escalated: false, at: at("2026-03-02 10:14")))
    #expect(UrgentAlertRule.escalates(due: due, acknowledged: false, escalated: false, at: at("2026-03-02 10:15")))
    #expect(!UrgentAlertRule.escalates(due: due, acknowledged: true, escalated: false, at: at("2026-03-02 11:00")))
    #expect(!UrgentAlertRule.escalates(due: due, acknowledged: false, escalated: true, at: at("2026-03-02 11:00")))
  }
}
