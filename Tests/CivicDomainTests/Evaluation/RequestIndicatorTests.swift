import CivicDomain
import Testing

/// Indicators 9–11 of docs/METRICS.md (citizens' requests) over a hand-worked March 2026
/// fixture; the comments are the hand computation the expectations repeat.
enum March {
  static let calendar = WorkingCalendar.china2026
  static let period = try! Period("2026-03")
  static var window: Range<Instant> { period.start(in: calendar)..<period.end(in: calendar) }
  static let grid = "/D/S/C/G1/"
  static let community = "/D/S/C/"
  static let department = "/D/HUD/"
  static let asOf = at("2026-04-01")

  static func at(_ date: String, _ hour: Int = 10) -> Instant { calendar.instant(CivilDate(date)!, secondsAfterMidnight: hour * 3600) }

  static let inputs = IndicatorInputs(
    requestTiers: [
      // 1 resolved at the grid in March.
      RequestTierFact(caseID: 1, tier: .grid, unitPath: grid, outcome: .resolved, leftAt: at("2026-03-05")),
      // 2 escalated by the grid, resolved at the community, both in March.
      RequestTierFact(caseID: 2, tier: .grid, unitPath: grid, outcome: .escalated, leftAt: at("2026-03-10")),
      RequestTierFact(caseID: 2, tier: .community, unitPath: community, outcome: .resolved, leftAt: at("2026-03-12")),
      // 3 left the grid in February (not March), the community in March, closed unresolved at the department.
      RequestTierFact(caseID: 3, tier: .grid, unitPath: grid, outcome: .escalated, leftAt: at("2026-02-27")),
      RequestTierFact(caseID: 3, tier: .community, unitPath: community, outcome: .escalated, leftAt: at("2026-03-03")),
      RequestTierFact(caseID: 3, tier: .district, unitPath: department, outcome: .unresolved, leftAt: at("2026-03-20")),
      // 4 still at the grid; 5 left it after asOf: neither counts.
      RequestTierFact(caseID: 4, tier: .grid, unitPath: grid, outcome: nil, leftAt: nil),
      RequestTierFact(caseID: 5, tier: .grid, unitPath: grid, outcome: .escalated, leftAt: at("2026-04-02")),
    ],
    requestReplies: [
      // a: due 03-04, replied 03-03: on time.
      RequestReplyFact(
        caseID: 1,
        task: 1,
        unitPath: grid,
        dueAt: at("2026-03-04", 17),
        repliedAt: at("2026-03-03"),
        closedUnansweredAt: nil
      ),
      // b: due 03-06, escalated by the sweeper 03-10 without a reply: owed, not on time.
      RequestReplyFact(
        caseID: 2,
        task: 1,
        unitPath: grid,
        dueAt: at("2026-03-06", 17),
        repliedAt: nil,
        closedUnansweredAt: at("2026-03-10")
      ),
      // c: due 03-31, open at asOf: owed, not on time.
      RequestReplyFact(caseID: 4, task: 1, unitPath: grid, dueAt: at("2026-03-31", 17), repliedAt: nil, closedUnansweredAt: nil),
      // d: escalated by the grid on 03-02, before its deadline 03-09: owed no reply, left out.
      RequestReplyFact(
        caseID: 6,
        task: 1,
        unitPath: grid,
        dueAt: at("2026-03-09", 17),
        repliedAt: nil,
        closedUnansweredAt: at("2026-03-02")
      ),
      // e: due 04-03, replied 03-30: replied in March, on time.
      RequestReplyFact(
        caseID: 7,
        task: 1,
        unitPath: grid,
        dueAt: at("2026-04-03", 17),
        repliedAt: at("2026-03-30"),
        closedUnansweredAt: nil
      ),
      // f: due 02-20, replied 03-02: replied in March, late.
      RequestReplyFact(
        caseID: 8,
        task: 1,
        unitPath: grid,
        dueAt: at("2026-02-20", 17),
        repliedAt: at("2026-03-02"),
        closedUnansweredAt: nil
      ),
      // g: due and replied in February: not March's.
      RequestReplyFact(
        caseID: 9,
        task: 1,
        unitPath: grid,
        dueAt: at("2026-02-20", 17),
        repliedAt: at("2026-02-19"),
        closedUnansweredAt: nil
      ),
      // The community's reply on 2: due 03-13, replied 03-11.
      RequestReplyFact(
        caseID: 2,
        task: 2,
        unitPath: community,
        dueAt: at("2026-03-13", 17),
        repliedAt: at("2026-03-11"),
        closedUnansweredAt: nil
      ),
    ]
  )

  static func figures(_ path: String, subtree: Bool = false) -> [Indicator: Figure] {
    let figures = IndicatorSet.compute(inputs, for: UnitSelector(path: path, subtree: subtree), in: window, asOf: asOf)
    return Dictionary(uniqueKeysWithValues: figures.map { ($0.indicator, $0) })
  }
}

@Suite("Indicators: citizens' requests, the hand-worked March fixture", .timeLimit(.minutes(1)))
struct RequestIndicatorTests {
  @Test("per unit: the grid resolved 1 of 2, escalated 1 of 2, replied on time 2 of 5")
  func grid() {
    let f = March.figures(March.grid)
    #expect(f[.requestResolutionRate]?.numerator == 1 && f[.requestResolutionRate]?.denominator == 2)
    #expect(f[.requestResolutionRate]?.value == 0.5)
    #expect(f[.requestEscalationRate]?.value == 0.5)
    #expect(f[.requestResolutionRate]?.drill.map(\.caseID) == [1, 2])
    #expect(f[.requestOnTimeReplyRate]?.numerator == 2 && f[.requestOnTimeReplyRate]?.denominator == 5)
    #expect(f[.requestOnTimeReplyRate]?.value == 0.4)
    #expect(f[.requestOnTimeReplyRate]?.drill.map(\.caseID) == [1, 2, 4, 7, 8])
    #expect(f[.requestOnTimeReplyRate]?.display == "40.00%")
  }

  @Test("per unit: the department closed 3 unresolved (0 of 1 resolved, none escalated); the community 1 of 2 each")
  func otherTiers() {
    let department = March.figures(March.department)
    #expect(department[.requestResolutionRate]?.value == 0 && department[.requestResolutionRate]?.denominator == 1)
    #expect(department[.requestEscalationRate]?.value == 0)
    #expect(department[.requestOnTimeReplyRate]?.value == nil, "no reply owed: not applicable")
    #expect(department[.requestOnTimeReplyRate]?.display == "—")
    let community = March.figures(March.community)
    #expect(community[.requestResolutionRate]?.value == 0.5 && community[.requestEscalationRate]?.value == 0.5)
    #expect(community[.requestOnTimeReplyRate]?.value == 1)
  }

  @Test("per subtree: the district counts 5 tier exits (2 resolved, 2 escalated, 1 unresolved) and 6 replies owed (3 on time)")
  func district() {
    let f = March.figures("/D/", subtree: true)
    #expect(f[.requestResolutionRate]?.value == 0.4 && f[.requestResolutionRate]?.denominator == 5)
    #expect(f[.requestEscalationRate]?.value == 0.4)
    #expect(f[.requestOnTimeReplyRate]?.value == 0.5 && f[.requestOnTimeReplyRate]?.denominator == 6)
  }

  @Test("a request's facts from its case: each tier it left and how, each tier task's reply")
  func factsFromTheCase() throws {
    let ladder = [
      RequestLadder.Step(tier: .grid, unit: "G1", workingDays: 2), RequestLadder.Step(tier: .community, unit: "C", workingDays: 3),
    ]
    let receiver = Party.staff("gw", unit: "G1")
    var value = try Case.receiveRequest(
      id: "C1",
      applicant: "Li Na",
      channel: .hotline,
      ladder: ladder,
      at: at("2026-03-02 10:00"),
      by: receiver
    ).case
    let kind = CitizenRequestKind.citizenRequest
    func run(_ command: CitizenRequestCommand, _ time: String, _ party: Party) throws {
      value = try value.applying(command, of: kind, expectedVersion: value.version, at: at(time), by: party).case
    }
    try run(.escalate(reason: "beyond the grid"), "2026-03-03 10:00", handler("G1"))
    try run(.reply(text: "fixed"), "2026-03-04 10:00", handler("C"))
    try run(.confirm(note: ""), "2026-03-05 10:00", receiver)
    let paths = ["G1": March.grid, "C": March.community]
    let facts = try value.requestIndicatorFacts(
      caseID: 1,
      tiers: [.grid, .community],
      completedAt: at("2026-03-05 10:00"),
      unitPaths: paths
    ) {
      (task: CaseTask) throws(DomainError) -> Instant in try task.clock.deadlineIgnoringOpenPause(in: china)
    }
    #expect(facts.tiers.map(\.outcome) == [.escalated, .resolved])
    #expect(facts.tiers.map(\.leftAt) == [at("2026-03-03 10:00"), at("2026-03-05 10:00")])
    #expect(facts.replies.map(\.repliedAt) == [nil, at("2026-03-04 10:00")])
    #expect(facts.replies.map(\.closedUnansweredAt) == [at("2026-03-03 10:00"), nil])
  }
}
