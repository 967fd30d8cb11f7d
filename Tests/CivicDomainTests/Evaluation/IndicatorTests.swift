import CivicDomain
import Testing

/// The hand-computed fixture of docs/METRICS.md's indicators for November 2026 (numbers in the
/// comments are the hand computation the expectations repeat).
enum November {
  static let calendar = WorkingCalendar.china2026
  static let period = try! Period("2026-11")
  static var window: Range<Instant> { period.start(in: calendar)..<period.end(in: calendar) }
  static let ctr = "/D01/CTR/"
  static let ctr2 = "/D01/S01/CTR2/"

  static func at(_ date: String, _ hour: Int = 10) -> Instant { calendar.instant(CivilDate(date)!, secondsAfterMidnight: hour * 3600) }

  static let inputs = IndicatorInputs(
    cases: [
      // 1 accepted, due 11-10, completed 11-09 (on time), 4 working days.
      CaseFact(
        caseID: 1,
        unitPath: ctr,
        submittedAt: at("2026-11-03"),
        decidedAt: at("2026-11-03", 11),
        accepted: true,
        completedAt: at("2026-11-09"),
        deadline: at("2026-11-10", 17),
        handlingWorkingDays: 4
      ),
      // 2 accepted, due 11-11, completed 11-12 (late), 6.5 working days.
      CaseFact(
        caseID: 2,
        unitPath: ctr,
        submittedAt: at("2026-11-04"),
        decidedAt: at("2026-11-04", 11),
        accepted: true,
        completedAt: at("2026-11-12"),
        deadline: at("2026-11-11", 17),
        handlingWorkingDays: 6.5
      ),
      // 3 refused: acceptance denominator only.
      CaseFact(caseID: 3, unitPath: ctr, submittedAt: at("2026-11-05"), decidedAt: at("2026-11-05", 11), accepted: false),
      // 4 undecided (补正): excluded everywhere.
      CaseFact(caseID: 4, unitPath: ctr, submittedAt: at("2026-11-06")),
      // 5 submitted in October, due 11-04, still open: due in November, overdue.
      CaseFact(
        caseID: 5,
        unitPath: ctr,
        submittedAt: at("2026-10-28"),
        decidedAt: at("2026-10-28", 11),
        accepted: true,
        deadline: at("2026-11-04", 17)
      ),
      // 6 due in December: accepted in November, not due.
      CaseFact(
        caseID: 6,
        unitPath: ctr,
        submittedAt: at("2026-11-20"),
        decidedAt: at("2026-11-20", 11),
        accepted: true,
        deadline: at("2026-12-03", 17)
      ),
      // 7 immediate item (no clock): acceptance only.
      CaseFact(
        caseID: 7,
        unitPath: ctr,
        submittedAt: at("2026-11-10"),
        decidedAt: at("2026-11-10", 11),
        accepted: true,
        completedAt: at("2026-11-10", 11)
      ),
      // 8 in the street's centre (subtree only): on time, 3 working days.
      CaseFact(
        caseID: 8,
        unitPath: ctr2,
        submittedAt: at("2026-11-02"),
        decidedAt: at("2026-11-02", 11),
        accepted: true,
        completedAt: at("2026-11-06"),
        deadline: at("2026-11-09", 17),
        handlingWorkingDays: 3
      ),
    ],
    ratings: [
      RatingFact(ratingID: 1, caseID: 1, unitPath: ctr, ratedAt: at("2026-11-09", 15), level: .verySatisfied),
      RatingFact(ratingID: 2, caseID: 2, unitPath: ctr, ratedAt: at("2026-11-12", 15), level: .dissatisfied, rectifiedAt: at("2026-11-18")),
      RatingFact(
        ratingID: 3,
        caseID: 2,
        unitPath: ctr,
        ratedAt: at("2026-11-04", 15),
        level: .veryDissatisfied,
        upheldAt: at("2026-11-20")
      ),
      RatingFact(ratingID: 4, caseID: 7, unitPath: ctr, ratedAt: at("2026-11-10", 15), level: .dissatisfied),
      RatingFact(ratingID: 5, caseID: 5, unitPath: ctr, ratedAt: at("2026-10-29"), level: .satisfied),
      RatingFact(ratingID: 6, caseID: 6, unitPath: ctr, ratedAt: at("2026-11-21"), level: .basicallySatisfied),
      RatingFact(ratingID: 7, caseID: 1, unitPath: ctr, ratedAt: at("2026-12-02"), level: .veryDissatisfied),
    ],
    orders: [
      OrderFact(
        orderID: "o1",
        caseID: 2,
        unitPath: ctr,
        listed: false,
        issuedAt: at("2026-11-12"),
        replyDueAt: at("2026-11-16", 17),
        repliedAt: at("2026-11-15")
      ),
      OrderFact(
        orderID: "o2",
        caseID: 5,
        unitPath: ctr,
        listed: true,
        issuedAt: at("2026-11-05"),
        replyDueAt: at("2026-11-10", 17),
        repliedAt: at("2026-11-12")
      ),
      OrderFact(orderID: "o3", caseID: 5, unitPath: ctr, listed: false, issuedAt: at("2026-11-26"), replyDueAt: at("2026-12-02", 17)),
    ],
    events: [
      UnitEventFact(kind: .urged, caseID: 5, unitPath: ctr, at: at("2026-11-03")),
      UnitEventFact(kind: .urged, caseID: 2, unitPath: ctr, at: at("2026-11-11")),
      UnitEventFact(kind: .urged, caseID: 8, unitPath: ctr2, at: at("2026-11-05")),
      UnitEventFact(kind: .criticised, caseID: 5, unitPath: ctr, at: at("2026-11-20")),
      UnitEventFact(kind: .escalatedToListed, caseID: 5, unitPath: ctr, at: at("2026-11-13")),
    ]
  )

  static func figures(_ path: String = ctr, subtree: Bool = false, asOf: Instant = at("2026-12-05")) -> [Indicator: Figure] {
    let figures = IndicatorSet.compute(inputs, for: UnitSelector(path: path, subtree: subtree), in: window, asOf: asOf)
    return Dictionary(uniqueKeysWithValues: figures.map { ($0.indicator, $0) })
  }
}

@Suite("Indicators: the hand-computed November fixture", .timeLimit(.minutes(1)))
struct IndicatorTests {
  @Test("per unit: every numerator, denominator and value")
  func perUnit() {
    let f = November.figures()
    // Acceptance: decided submissions in November {1,2,3,6,7}; accepted {1,2,6,7}.
    #expect(f[.acceptanceRate]!.denominator == 5)
    #expect(f[.acceptanceRate]!.numerator == 4)
    #expect(f[.acceptanceRate]!.value == 0.8)
    #expect(f[.acceptanceRate]!.drill.map(\.caseID) == [1, 2, 3, 6, 7])
    // On time: due in November {1,2,5}; on time {1}.
    #expect(f[.onTimeCompletionRate]!.denominator == 3)
    #expect(f[.onTimeCompletionRate]!.numerator == 1)
    #expect(f[.onTimeCompletionRate]!.value == 0.3333)
    // Overdue: {2 (late), 5 (open)}.
    #expect(f[.overdueCount]!.value == 2)
    #expect(f[.overdueCount]!.drill.map(\.caseID) == [2, 5])
    // Handling: (4 + 6.5) / 2.
    #expect(f[.averageHandlingDays]!.numerator == 10.5)
    #expect(f[.averageHandlingDays]!.denominator == 2)
    #expect(f[.averageHandlingDays]!.value == 5.25)
    // Satisfaction: ratings {1,2,4,6} (3 upheld, 5 October, 7 December); satisfied {1,6}.
    #expect(f[.satisfactionRate]!.denominator == 4)
    #expect(f[.satisfactionRate]!.numerator == 2)
    #expect(f[.satisfactionRate]!.value == 0.5)
    // Rectification: bad {2,4}; rectified {2}.
    #expect(f[.rectificationRate]!.denominator == 2)
    #expect(f[.rectificationRate]!.value == 0.5)
    // Orders: due or replied in November {o1, o2}; on time {o1}.
    #expect(f[.orderReplyOnTimeRate]!.denominator == 2)
    #expect(f[.orderReplyOnTimeRate]!.value == 0.5)
    #expect(f[.urgeCount]!.value == 2)
    #expect(f[.satisfactionRate]!.display == "50.00%")
    #expect(f[.onTimeCompletionRate]!.display == "33.33%")
  }

  @Test("per subtree adds the street's centre")
  func perSubtree() {
    let f = November.figures("/D01/", subtree: true)
    #expect(f[.acceptanceRate]!.value == 0.8333)  // 5 / 6
    #expect(f[.onTimeCompletionRate]!.value == 0.5)  // 2 / 4
    #expect(f[.averageHandlingDays]!.value == 4.5)  // 13.5 / 3
    #expect(f[.urgeCount]!.value == 3)
    let street = November.figures(November.ctr2)
    #expect(street[.acceptanceRate]!.value == 1)
    #expect(street[.satisfactionRate]!.value == nil)
    #expect(street[.satisfactionRate]!.display == "—")
  }

  @Test("as of mid-November: the appeal and the rectification are not known yet")
  func asOfMidPeriod() {
    let f = November.figures(asOf: November.at("2026-11-15"))
    // Ratings by 11-15: {1,2,3,4}; 3 not yet excluded; satisfied {1}.
    #expect(f[.satisfactionRate]!.denominator == 4)
    #expect(f[.satisfactionRate]!.value == 0.25)
    // Bad {2,3,4}, none rectified yet.
    #expect(f[.rectificationRate]!.denominator == 3)
    #expect(f[.rectificationRate]!.value == 0)
    // Case 6 was not yet submitted; cases 1,2,3,7 decided: 3 of 4.
    #expect(f[.acceptanceRate]!.value == 0.75)
  }

  @Test("after the period ended, a late intake decision still enters the period it was submitted in")
  func lateDecision() {
    var inputs = November.inputs
    // Case 4 (submitted 11-06, waiting for 补正) is accepted on 12-02.
    inputs.cases[3] = CaseFact(
      caseID: 4,
      unitPath: November.ctr,
      submittedAt: November.at("2026-11-06"),
      decidedAt: November.at("2026-12-02"),
      accepted: true
    )
    let selector = UnitSelector(path: November.ctr, subtree: false)
    let before = IndicatorSet.compute(inputs, for: selector, in: November.window, asOf: November.at("2026-12-01"))
    let after = IndicatorSet.compute(inputs, for: selector, in: November.window, asOf: November.at("2026-12-05"))
    #expect(before.first { $0.indicator == .acceptanceRate }?.value == 0.8)  // 4 / 5
    #expect(after.first { $0.indicator == .acceptanceRate }?.value == 0.8333)  // 5 / 6
  }

  @Test("assessment: 70 basic work + 30 social evaluation − penalties, ranked")
  func assessment() {
    let figures = Array(November.figures().values)
    let penalties = IndicatorSet.penalties(
      November.inputs,
      for: UnitSelector(path: November.ctr, subtree: false),
      in: November.window,
      asOf: November.at("2026-12-05")
    )
    #expect(penalties == Penalties(listedOrders: 2, criticisms: 1))
    let score = AssessmentScheme.standard.score(figures, penalties: penalties)
    // 15×0.8 + 25×0.3333 + 15×0.5 + 15×0.5 = 35.3325; 30×0.5 = 15; 2×2 + 3 = 7.
    #expect(score.basicWork == 35.33)
    #expect(score.socialEvaluation == 15)
    #expect(score.penalty == 7)
    #expect(score.total == 43.33)
    // A unit with nothing to assess has no data (issue 13): not full marks, listed after the ranked, unranked.
    let empty = AssessmentScheme.standard.score([], penalties: Penalties())
    #expect(empty.noData && empty.total == 0)
    let full = AssessmentScheme.standard.score(figures.filter { $0.indicator == .acceptanceRate }, penalties: Penalties())
    #expect(!full.noData && full.total == 86)  // 70 × 0.8 + 30 (nobody rated)
    let ranked = AssessmentScheme.rank([("B", score), ("A", empty), ("C", score), ("D", full)])
    #expect(ranked.map(\.unitCode) == ["D", "B", "C", "A"])
    #expect(ranked.map(\.rank) == [1, 2, 2, 0])
  }

  @Test("no data: only the scored figures count; a satisfaction rate alone is data, an unscored rate or a penalty alone is not")
  func noData() {
    func figure(_ indicator: Indicator, _ value: Double?) -> Figure {
      Figure(indicator: indicator, numerator: value ?? 0, denominator: value == nil ? 0 : 1, value: value, drill: [])
    }
    let scheme = AssessmentScheme.standard
    let idle = Indicator.allCases.map { figure($0, nil) }
    #expect(scheme.score(idle, penalties: Penalties()).noData)
    #expect(scheme.score(idle + [figure(.requestResolutionRate, 1)], penalties: Penalties()).noData)
    let penalised = scheme.score(idle, penalties: Penalties(listedOrders: 1))
    #expect(penalised.noData && penalised.penalties.listedOrders == 1 && penalised.total == 0)
    let rated = scheme.score([figure(.satisfactionRate, 0.5)], penalties: Penalties())
    #expect(!rated.noData && rated.basicWork == 70 && rated.socialEvaluation == 15)
  }

  @Test(
    "periods parse, contain and go back",
    arguments: [
      ("2026", "2026-01-01", "2026-12-31"), ("2026-Q4", "2026-10-01", "2026-12-31"), ("2026-02", "2026-02-01", "2026-02-28"),
      ("2026-W48", "2026-11-23", "2026-11-29"), ("2026-W01", "2025-12-29", "2026-01-04"), ("2026-W53", "2026-12-28", "2027-01-03"),
    ]
  )
  func periods(text: String, first: String, last: String) throws {
    let period = try Period(text)
    #expect(period.first == CivilDate(first)!)
    #expect(period.last == CivilDate(last)!)
    #expect(period.description == text)
    #expect(Period(period.cadence, containing: period.last) == period)
  }

  @Test("bad periods name the field", arguments: ["", "26", "2026-13", "2026-Q5", "2026-W54", "2026-11-01", "abcd"])
  func badPeriods(text: String) {
    #expect(throws: DomainError.self) { try Period(text, field: "period") }
    do { _ = try Period(text, field: "period") } catch { #expect(error.description.hasPrefix("period:")) }
  }

  @Test("a rectification case runs opened → rectifying → awaiting return visit → rectified; an upheld appeal voids it")
  func rectification() throws {
    let item = ItemRef(code: "RECTIFICATION", version: 1)
    let clerk = Party.staff(StaffID("clerk"), unit: UnitID("CTR"))
    let opening = try Case.openRectification(
      id: CaseID("C00000009"),
      item: item,
      title: "bad rating",
      for: UnitID("CTR"),
      at: November.at("2026-11-12"),
      by: clerk
    )
    let opened = opening.case
    #expect(opened.kind == "rectification" && opened.state == .rectifying && opened.version == 2)
    #expect(opening.events.map(\.kind).contains(.stateChanged(from: .opened, to: .rectifying, action: .handOver)))
    let task = try #require(opened.rectificationTask)
    #expect(task.unit == UnitID("CTR") && task.clock.limit == .workingDays(Rectification.defaultWorkingDays))
    #expect(try task.clock.deadline(in: November.calendar)! > November.at("2026-11-18"))
    #expect(try opened.warnings(at: November.at("2026-11-12"), in: November.calendar).tasks[1]?.level == .green)

    let reported = try opened.applying(
      .report(text: "apologised and fixed the queue"),
      expectedVersion: 2,
      at: November.at("2026-11-16"),
      by: clerk
    ).case
    #expect(reported.state == .awaitingReturnVisit && reported.version == 3)
    #expect(reported.rectificationTask?.opinion == "apologised and fixed the queue" && reported.rectificationTask?.clock.stoppedAt != nil)
    #expect(throws: DomainError.self) {
      try reported.applying(.report(text: "again"), expectedVersion: 3, at: November.at("2026-11-17"), by: clerk)
    }
    #expect(throws: DomainError.self) {
      try reported.applying(.returnVisit(satisfied: true, note: ""), expectedVersion: 2, at: November.at("2026-11-17"), by: clerk)
    }
    let visit = try reported.applying(
      .returnVisit(satisfied: true, note: "ok"),
      expectedVersion: 3,
      at: November.at("2026-11-18"),
      by: clerk
    )
    #expect(visit.case.state == .rectified)
    #expect(visit.events.first?.kind == .returnVisited(satisfied: true, note: "ok"))
    #expect(throws: DomainError.self) {
      try visit.case.applying(.void(reason: "upheld"), expectedVersion: 4, at: November.at("2026-11-19"), by: clerk)
    }

    let voided = try opened.applying(.void(reason: "appeal upheld"), expectedVersion: 2, at: November.at("2026-11-13"), by: clerk).case
    #expect(voided.state == .voided && voided.rectificationTask?.state == .withdrawn)
    #expect(throws: DomainError.self) { try Rating(level: .dissatisfied, moment: .completion, comment: "  ") }
  }

  @Test("the report has the tables, the trend chart and a CSV row per period and indicator")
  func report() {
    let current = Report.Column(
      period: November.period,
      figures: Array(November.figures().values).sorted { $0.indicator.rawValue < $1.indicator.rawValue },
      closed: true
    )
    let previous = Report.Column(period: November.period.previous, figures: [], closed: false)
    let report = Report(
      unitCode: "CTR",
      unitName: "Service centre",
      responsiblePerson: "Li Wei",
      columns: [previous, current],
      assessment: nil,
      schemeName: ""
    )
    #expect(report.markdown.contains("# Monthly review (月研判): Service centre (CTR), 2026-11"))
    #expect(report.markdown.contains("| Satisfaction rate (满意率) | 50.00% | 2 | 4 |"))
    #expect(report.markdown.contains("2026-11   |██████████          | 50.00%"))
    #expect(
      report.csv.split(separator: "\n").count == 1 + 17,
      "a header and one row per indicator: eight of cases, three of requests, two of disputes, three of field events, one of training"
    )
    #expect(report.csv.contains("CTR,2026-11,satisfaction_rate,0.5,2,4,true"))
  }
}

/// `IndicatorInputsByUnit` hands `IndicatorSet` a unit's facts only; the figures must be the
/// ones computed from the whole gathering, for every unit alone and with its subtree.
@Suite("Indicator inputs by unit", .timeLimit(.minutes(1)))
struct IndicatorInputsByUnitTests {
  @Test("every unit's figures and penalties from its own facts equal those from every fact")
  func sameFigures() {
    // Every kind of fact, from the fixtures of the indicators' own tests.
    var whole = November.inputs
    whole.requestTiers = March.inputs.requestTiers
    whole.requestReplies = March.inputs.requestReplies
    whole.disputeClosings = DisputeIndicatorsTests.closings
    whole.fieldEvents = FieldEventIndicatorsTests.facts
    whole.gridWorkers = GridTrainingIndicatorTests.workers
    whole.trainingSessions = GridTrainingIndicatorTests.sessions
    let byUnit = IndicatorInputsByUnit(whole)
    let paths = Set(
      whole.cases.map(\.unitPath) + whole.ratings.map(\.unitPath) + whole.orders.map(\.unitPath) + whole.events.map(\.unitPath)
        + whole.requestTiers.map(\.unitPath) + whole.disputeClosings.map(\.unitPath) + whole.fieldEvents.map(\.gridPath)
        + whole.gridWorkers.map(\.unitPath)
    )
    // Each path alone and with its subtree, and the prefixes above and beside them.
    let prefixes = paths.flatMap { path in
      let parts = path.split(separator: "/")
      return parts.indices.map { "/" + parts[...$0].joined(separator: "/") + "/" }
    }
    let selectors = Set(["/", "/D01/NONE/"] + paths + prefixes).sorted()
    #expect(paths.count >= 6, "the fixtures span several units: \(paths)")
    for path in selectors {
      for subtree in [false, true] {
        let selector = UnitSelector(path: path, subtree: subtree)
        let own = byUnit.inputs(for: selector)
        let asOf = November.at("2026-12-05")
        #expect(
          IndicatorSet.compute(own, for: selector, in: November.window, asOf: asOf)
            == IndicatorSet.compute(whole, for: selector, in: November.window, asOf: asOf),
          "\(path) subtree \(subtree)"
        )
        #expect(
          IndicatorSet.penalties(own, for: selector, in: November.window, asOf: asOf)
            == IndicatorSet.penalties(whole, for: selector, in: November.window, asOf: asOf)
        )
        #expect(own.cases.allSatisfy { selector.matches($0.unitPath) } && own.cases.count == whole.cases.filter { selector.matches($0.unitPath) }.count)
      }
    }
  }

  @Test("a unit's facts keep their order across the paths of its subtree")
  func keepsOrder() {
    let facts = [3, 1, 2, 5, 4].map { id in
      CaseFact(caseID: Int64(id), unitPath: id % 2 == 0 ? "/D/A/" : "/D/B/", submittedAt: November.at("2026-11-03"), decidedAt: nil, accepted: false)
    }
    let own = IndicatorInputsByUnit(IndicatorInputs(cases: facts)).inputs(for: UnitSelector(path: "/D/", subtree: true))
    #expect(own.cases.map(\.caseID) == [3, 1, 2, 5, 4])
    #expect(IndicatorInputsByUnit(IndicatorInputs(cases: facts)).inputs(for: UnitSelector(path: "/D/A/", subtree: false)).cases.map(\.caseID) == [2, 4])
  }
}
