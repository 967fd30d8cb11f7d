import CivicDomain
import CivicProtos
import CivicStore
import Foundation
import GRPCCore
import Testing

@testable import CivicServices

@Suite("Evaluation service against PostgreSQL", .serialized, .timeLimit(.minutes(5)))
struct EvaluationServiceTests {
  typealias F = EvaluationFixture

  @Test("bad input answers INVALID_ARGUMENT naming the field")
  func validation() async throws {
    try await F.with { f in
      let id = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      let rates: [(String, (inout Civicgrid_V1_RateCaseRequest) -> Void)] = [
        ("case_id", { $0.caseID = "42" }),
        ("moment", { $0.moment = .unspecified }),
        ("level", { $0.level = .unspecified }),
        ("dimensions.efficiency", { $0.efficiency = 9 }),
        ("comment", { $0.comment = "  " }),
        ("channel", { $0.channel = "" }),
      ]
      for (field, mutate) in rates {
        var request = Civicgrid_V1_RateCaseRequest()
        request.caseID = CaseNumber.format(id)
        request.moment = .completion
        request.level = .dissatisfied
        request.comment = "slow"
        request.channel = "window"
        mutate(&request)
        let failure = await rpcCode {
          _ = try await f.call(f.base.clerk) { try await f.evaluation.rateCase(request: request, context: $0) }
        }
        #expect(failure?.0 == .invalidArgument, "\(field)")
        #expect(failure?.1.hasPrefix(field + ":") == true, "\(field): \(String(describing: failure?.1))")
      }
      for (field, period, drill) in [("period", "2026-13", ""), ("period", "", ""), ("drill", "2026-11", "speed")] {
        let failure = await rpcCode { _ = try await f.metrics(f.base.supervisor, unit: "CTR", period: period, drill: drill) }
        #expect(failure?.0 == .invalidArgument)
        #expect(failure?.1.hasPrefix(field + ":") == true, "\(String(describing: failure?.1))")
      }
      let reports: [(String, (inout Civicgrid_V1_GetReportRequest) -> Void)] = [
        ("cadence", { $0.cadence = "daily" }), ("period", { $0.period = "2026-W48" }), ("trend_periods", { $0.trendPeriods = 13 }),
        ("unit_code", { $0.unitCode = "no such!" }),
      ]
      for (field, mutate) in reports {
        var request = Civicgrid_V1_GetReportRequest()
        request.cadence = "month"
        request.period = "2026-11"
        request.unitCode = "CTR"
        mutate(&request)
        let failure = await rpcCode {
          _ = try await f.call(f.base.supervisor) { try await f.evaluation.getReport(request: request, context: $0) }
        }
        #expect(failure?.0 == .invalidArgument, "\(field)")
        #expect(failure?.1.hasPrefix(field + ":") == true, "\(field): \(String(describing: failure?.1))")
      }
      #expect(try await f.pool.query("SELECT count(*) FROM ratings").scalar(Int.self) == 0)
    }
  }

  @Test("rectification loop: bad rating → rectification → report → return visit; an upheld appeal leaves the satisfaction rate")
  func rectificationLoop() async throws {
    try await F.with { f in
      let good = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      let bad = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      let unfair = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      let open = try await f.seedCase(submitted: F.at("2026-11-02", 9))
      _ = try await f.rate(good, .completion, .verySatisfied, at: F.at("2026-11-05"))
      let rating = try await f.rate(bad, .completion, .veryDissatisfied, at: F.at("2026-11-05", 10), comment: "nobody answered")
      #expect(rating.rectificationID.hasPrefix("C"))
      #expect(rating.unitCode == "CTR")

      // One rating per case and moment: the same request again returns it; another one is refused.
      let again = try await f.rate(bad, .completion, .veryDissatisfied, at: F.at("2026-11-05", 11), comment: "nobody answered")
      #expect(again.id == rating.id)
      #expect(try await f.pool.query("SELECT count(*) FROM rectifications").scalar(Int.self) == 1)
      let different = await rpcCode { _ = try await f.rate(bad, .completion, .satisfied, at: F.at("2026-11-05", 11)) }
      #expect(different?.0 == .failedPrecondition)
      let early = await rpcCode { _ = try await f.rate(open, .completion, .satisfied, at: F.at("2026-11-05", 11)) }
      #expect(early?.0 == .failedPrecondition)
      #expect(early?.1.contains("is inProcessing") == true, "\(String(describing: early?.1))")

      // The rectification: 5 working days from Thursday 5 November → Thursday 12 November.
      let list = try await f.call(f.base.clerk) { try await f.evaluation.listRectifications(request: .init(), context: $0) }
      #expect(list.rectifications.count == 1)
      var rectification = list.rectifications[0]
      #expect(rectification.state == "rectifying")
      #expect(F.calendar.localDate(of: Instant(rectification.deadline)) == CivilDate("2026-11-12"))
      #expect(rectification.ratingComment == "nobody answered")
      let outsider = try await f.call(f.base.handler("FIN")) { try await f.evaluation.listRectifications(request: .init(), context: $0) }
      #expect(outsider.rectifications.isEmpty)

      f.clock.set(F.at("2026-11-09"))
      var report = Civicgrid_V1_ReportRectificationRequest()
      report.rectificationID = rectification.id
      report.expectedVersion = rectification.version
      report.report = "called back, hotline staffed"
      rectification = try await f.call(f.base.clerk) { try await f.evaluation.reportRectification(request: report, context: $0) }
      #expect(rectification.state == "awaitingReturnVisit")
      report.expectedVersion = rectification.version
      let twice = await rpcCode {
        _ = try await f.call(f.base.clerk) { try await f.evaluation.reportRectification(request: report, context: $0) }
      }
      #expect(twice?.0 == .failedPrecondition)
      #expect(twice?.1.contains("is awaitingReturnVisit") == true, "\(String(describing: twice?.1))")
      var visit = Civicgrid_V1_RecordReturnVisitRequest()
      visit.rectificationID = rectification.id
      visit.expectedVersion = rectification.version - 1
      visit.satisfied = true
      let stale = await rpcCode {
        _ = try await f.call(f.base.supervisor) { try await f.evaluation.recordReturnVisit(request: visit, context: $0) }
      }
      #expect(stale?.0 == .aborted)
      visit.expectedVersion = rectification.version
      rectification = try await f.call(f.base.supervisor) { try await f.evaluation.recordReturnVisit(request: visit, context: $0) }
      #expect(rectification.state == "rectified")
      #expect(rectification.returnVisitSatisfied)

      // An unfair bad rating: counted until the appeal is upheld, then gone from every figure.
      let unfairRating = try await f.rate(unfair, .completion, .dissatisfied, at: F.at("2026-11-10"), comment: "wanted another result")
      f.clock.set(F.at("2026-11-11"))
      var figures = try await f.metrics(f.base.supervisor, unit: "CTR", period: "2026-11")
      #expect(figures["satisfaction_rate"]!.denominator == 3)
      #expect(figures["satisfaction_rate"]!.value == 0.3333)
      #expect(figures["rectification_rate"]!.denominator == 2)
      #expect(figures["rectification_rate"]!.value == 0.5)

      var appeal = Civicgrid_V1_FileAppealRequest()
      appeal.ratingID = unfairRating.id
      appeal.reason = "the applicant was refused by law"
      let filed = try await f.call(f.base.clerk) { try await f.evaluation.fileAppeal(request: appeal, context: $0) }
      #expect(filed.outcome == "pending")
      let second = await rpcCode { _ = try await f.call(f.base.clerk) { try await f.evaluation.fileAppeal(request: appeal, context: $0) } }
      #expect(second?.0 == .failedPrecondition)
      appeal.ratingID = 1
      let onGood = await rpcCode { _ = try await f.call(f.base.clerk) { try await f.evaluation.fileAppeal(request: appeal, context: $0) } }
      #expect(onGood?.0 == .failedPrecondition)
      var decide = Civicgrid_V1_DecideAppealRequest()
      decide.appealID = filed.id
      decide.uphold = true
      decide.note = "refusal was lawful"
      f.clock.set(F.at("2026-11-12"))
      let decided = try await f.call(f.base.supervisor) { try await f.evaluation.decideAppeal(request: decide, context: $0) }
      #expect(decided.outcome == "upheld")
      let redecide = await rpcCode {
        _ = try await f.call(f.base.supervisor) { try await f.evaluation.decideAppeal(request: decide, context: $0) }
      }
      #expect(redecide?.0 == .failedPrecondition)

      f.clock.set(F.at("2026-11-13"))
      figures = try await f.metrics(f.base.supervisor, unit: "CTR", period: "2026-11")
      #expect(figures["satisfaction_rate"]!.denominator == 2)
      #expect(figures["satisfaction_rate"]!.value == 0.5)
      #expect(figures["rectification_rate"]!.denominator == 1)
      #expect(figures["rectification_rate"]!.value == 1)
      let voided = try await f.pool.query(
        "SELECT c.state FROM rectifications x JOIN cases c ON c.id = x.case_id WHERE x.rating_id = $1",
        [unfairRating.id]
      ).scalar(String.self)
      #expect(voided == "voided")
      let audit = try await f.pool.query(
        "SELECT count(*) FROM audit_log WHERE object LIKE 'rating/%' OR object LIKE 'rectification/%' OR object LIKE 'appeal/%'"
      ).scalar(Int.self)
      #expect(audit == 3 + 2 + 2)  // 3 ratings, report + visit, appeal filed + decided
    }
  }

  @Test("20 parallel retries of one bad rating make one rating, one rectification and one audit row")
  func parallelRetries() async throws {
    try await F.with { f in
      let id = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))
      f.clock.set(F.at("2026-11-05"))
      let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
        for _ in 0..<20 {
          group.addTask {
            var request = Civicgrid_V1_RateCaseRequest()
            request.caseID = CaseNumber.format(id)
            request.moment = .completion
            request.level = .veryDissatisfied
            request.comment = "queue too long"
            request.channel = "hotline"
            return try await f.call(f.base.partner) { try await f.evaluation.rateCase(request: request, context: $0) }.id
          }
        }
        return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
      }
      #expect(ids.count == 1)
      #expect(try await f.pool.query("SELECT count(*) FROM ratings").scalar(Int.self) == 1)
      #expect(try await f.pool.query("SELECT count(*) FROM rectifications").scalar(Int.self) == 1)
      #expect(try await f.pool.query("SELECT count(*) FROM audit_log WHERE object LIKE 'rating/%'").scalar(Int.self) == 1)
    }
  }

  /// The November fixture of docs/METRICS.md written through PostgreSQL (cases from domain values
  /// with chosen instants), every indicator checked against the hand computation.
  @Test("every indicator matches the hand-computed fixture; a closed period does not move when late data arrives")
  func indicatorsAndClosing() async throws {
    try await F.with(now: F.at("2026-11-01")) { f in
      // Promised item: 3 working days counted from the day after receipt.
      let c1 = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-04", 17, 30))  // due 11-05, 2.0 days
      let c2 = try await f.seedCase(submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-09", 17, 30))  // due 11-05, late, 5.0 days
      let c3 = try await f.seedCase(submitted: F.at("2026-11-03", 9), decision: .refuse)
      _ = try await f.seedCase(submitted: F.at("2026-11-03", 9), decision: .none)  // undecided: excluded
      let c5 = try await f.seedCase(submitted: F.at("2026-10-29", 9))  // due 11-03, open: overdue
      let c6 = try await f.seedCase(submitted: F.at("2026-11-26", 9))  // due 12-01: not due in November
      let c7 = try await f.seedCase(promised: false, submitted: F.at("2026-11-10", 9))  // 即办: acceptance only
      let c8 = try await f.seedCase(unit: "CTR2", submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-03", 17, 30))  // subtree only
      _ = try await f.rate(c1, .completion, .verySatisfied, at: F.at("2026-11-05"))
      let r2 = try await f.rate(c2, .completion, .dissatisfied, at: F.at("2026-11-10"))
      let r3 = try await f.rate(c2, .acceptance, .veryDissatisfied, at: F.at("2026-11-03"))
      let r4 = try await f.rate(c7, .completion, .dissatisfied, at: F.at("2026-11-10", 11))
      _ = try await f.rate(c6, .acceptance, .basicallySatisfied, at: F.at("2026-11-27"))
      _ = try await f.rate(c5, .acceptance, .satisfied, at: F.at("2026-10-30"))  // October
      // r2 rectified (report and return visit), r3 appealed and upheld.
      f.clock.set(F.at("2026-11-12"))
      var report = Civicgrid_V1_ReportRectificationRequest()
      report.rectificationID = r2.rectificationID
      report.expectedVersion = 2
      report.report = "done"
      _ = try await f.call(f.base.clerk) { try await f.evaluation.reportRectification(request: report, context: $0) }
      var visit = Civicgrid_V1_RecordReturnVisitRequest()
      visit.rectificationID = r2.rectificationID
      visit.expectedVersion = 3
      visit.satisfied = false
      _ = try await f.call(f.base.supervisor) { try await f.evaluation.recordReturnVisit(request: visit, context: $0) }
      var appeal = Civicgrid_V1_FileAppealRequest()
      appeal.ratingID = r3.id
      appeal.reason = "not about this unit"
      let filed = try await f.call(f.base.clerk) { try await f.evaluation.fileAppeal(request: appeal, context: $0) }
      f.clock.set(F.at("2026-11-20"))
      var decide = Civicgrid_V1_DecideAppealRequest()
      decide.appealID = filed.id
      decide.uphold = true
      decide.note = "upheld"
      _ = try await f.call(f.base.supervisor) { try await f.evaluation.decideAppeal(request: decide, context: $0) }
      // Orders, urges and a criticism, as the supervision service records them (migration 0006):
      // o1 (ordinary) issued Thu 11-12, due Tue 11-17, replied 11-15: on time; o2 (listed) issued
      // Thu 11-05, due Tue 11-10, replied 11-12: late.
      _ = try await f.seedOrder(level: "ordinary", issued: F.at("2026-11-12", 9), replied: F.at("2026-11-15", 10))
      _ = try await f.seedOrder(level: "listed", issued: F.at("2026-11-05", 9), replied: F.at("2026-11-12", 10))
      try await f.seedUrge(case: c5, at: F.at("2026-11-03"))
      try await f.seedUrge(case: c2, at: F.at("2026-11-11"))
      try await f.seedUrge(case: c8, unit: "CTR2", at: F.at("2026-11-05"))
      try await f.seedCriticism(case: c5, at: F.at("2026-11-20"))

      f.clock.set(F.at("2026-12-05"))
      let m = try await f.metrics(f.base.supervisor, unit: "CTR", period: "2026-11")
      func check(_ name: String, _ numerator: Double, _ denominator: Int64, _ value: Double?) {
        #expect(m[name]?.numerator == numerator, "\(name) numerator")
        #expect(m[name]?.denominator == denominator, "\(name) denominator")
        #expect((m[name]?.hasValue == true ? m[name]?.value : nil) == value, "\(name) value")
      }
      check("acceptance_rate", 4, 5, 0.8)  // {1,2,3,6,7}, refused 3
      check("on_time_completion_rate", 1, 3, 0.3333)  // {1,2,5}, on time 1
      check("average_handling_days", 7, 2, 3.5)  // (2 + 5) / 2
      check("overdue_count", 2, 2, 2)  // 2 late, 5 open
      check("satisfaction_rate", 2, 4, 0.5)  // {r1, r2, r4, r6}; r3 upheld, October and December left out
      check("rectification_rate", 1, 2, 0.5)  // {r2 rectified, r4 open}
      check("order_reply_on_time_rate", 1, 2, 0.5)  // o1 on time, o2 late
      check("urge_count", 2, 2, 2)
      let drill = try await f.metricsMessage(f.base.supervisor, unit: "CTR", period: "2026-11", drill: "on_time_completion_rate").drill
      #expect(drill.map(\.caseID) == [c1, c2, c5].map(CaseNumber.format))
      #expect(drill.map(\.counted) == [true, false, false])
      let acceptanceDrill = try await f.metricsMessage(f.base.supervisor, unit: "CTR", period: "2026-11", drill: "acceptance_rate").drill
      #expect(acceptanceDrill.map(\.caseID) == [c1, c2, c3, c6, c7].map(CaseNumber.format))
      _ = r4

      let subtree = try await f.metrics(f.base.supervisor, unit: "D01", period: "2026-11", subtree: true)
      #expect(subtree["acceptance_rate"]?.value == 0.8333)  // 5 / 6
      #expect(subtree["on_time_completion_rate"]?.value == 0.5)  // 2 / 4
      #expect(subtree["average_handling_days"]?.value == 2.67)  // 8 / 3
      #expect(subtree["urge_count"]?.value == 3)

      // Assessment: CTR 15×0.8 + 25×0.3333 + 15×0.5 + 15×0.5 = 35.33, social 15, penalty 2×1 listed + 3×1 criticism.
      try await f.pool.query("UPDATE units SET responsible_person = 'Li Wei' WHERE code = 'CTR'")
      var assessmentRequest = Civicgrid_V1_GetAssessmentRequest()
      assessmentRequest.period = "2026-11"
      assessmentRequest.unitKind = "centre"
      let assessment = try await f.call(f.base.supervisor) { try await f.evaluation.getAssessment(request: assessmentRequest, context: $0) }
      let line = try #require(assessment.units.first { $0.unitCode == "CTR" })
      #expect(line.basicWork == 35.33)
      #expect(line.socialEvaluation == 15)
      #expect(line.penalty == 5)
      #expect(line.total == 45.33)
      #expect(line.responsiblePerson == "Li Wei")
      #expect(assessment.units.map(\.unitCode) == ["CTR2", "CTR"])  // CTR2: all on time, nobody rated: 100 − 0
      #expect(assessment.units.map(\.rank) == [1, 2])

      // Closing: not before the period ended, then once; afterwards late data changes nothing.
      var close = Civicgrid_V1_ClosePeriodRequest()
      close.period = "2026-12"
      let early = await rpcCode {
        _ = try await f.call(f.base.supervisor) { try await f.evaluation.closePeriod(request: close, context: $0) }
      }
      #expect(early?.0 == .failedPrecondition)
      close.period = "2026-11"
      let closed = try await f.call(f.base.supervisor) { try await f.evaluation.closePeriod(request: close, context: $0) }
      #expect(closed.figures == Int64(f.base.units.count * 2 * Indicator.allCases.count))
      let twice = await rpcCode {
        _ = try await f.call(f.base.supervisor) { try await f.evaluation.closePeriod(request: close, context: $0) }
      }
      #expect(twice?.0 == .failedPrecondition)

      let before = try await f.metricsMessage(f.base.supervisor, unit: "CTR", period: "2026-11", drill: "satisfaction_rate")
      #expect(before.closed)
      // Late data about November: a case taken in and completed late, a late urge, an upheld appeal on r4.
      _ = try await f.seedCase(submitted: F.at("2026-11-16", 9), completed: F.at("2026-11-17", 17, 30))
      try await f.seedUrge(case: c5, at: F.at("2026-11-25"))
      appeal.ratingID = r4.id
      let late = try await f.call(f.base.clerk) { try await f.evaluation.fileAppeal(request: appeal, context: $0) }
      decide.appealID = late.id
      _ = try await f.call(f.base.supervisor) { try await f.evaluation.decideAppeal(request: decide, context: $0) }
      let after = try await f.metricsMessage(f.base.supervisor, unit: "CTR", period: "2026-11", drill: "satisfaction_rate")
      #expect(after.figures == before.figures)
      #expect(after.drill == before.drill)
      #expect(after.closed)
      // The open quarter containing November does see the late data.
      let quarter = try await f.metrics(f.base.supervisor, unit: "CTR", period: "2026-Q4")
      #expect(quarter["urge_count"]?.value == 3)
      #expect(quarter["satisfaction_rate"]?.denominator == 4)  // r5 (October) in, r4 now out
      let frozen = try await f.call(f.base.supervisor) { try await f.evaluation.getAssessment(request: assessmentRequest, context: $0) }
      #expect(frozen.closed)
      #expect(frozen.units.first { $0.unitCode == "CTR" }?.total == 45.33)
    }
  }

  @Test("a unit sees its own subtree's figures only; the district's supervisor and the auditor grant see every unit")
  func access() async throws {
    try await F.with { f in
      try await f.seedCase(unit: "CTR2", submitted: F.at("2026-11-02", 9), completed: F.at("2026-11-03", 17, 30))
      let street = f.base.principal("s01-clerk", "S01", [.clerk])
      let centre2 = f.base.principal("ctr2-clerk", "CTR2", [.clerk])
      // Own unit and below: allowed.
      #expect(try await f.metrics(street, unit: "CTR2", period: "2026-11")["acceptance_rate"]?.value == 1)
      #expect(try await f.metrics(street, unit: "", period: "2026-11", subtree: true)["acceptance_rate"]?.value == 1)
      #expect(try await f.metrics(centre2, unit: "CTR2", period: "2026-11")["acceptance_rate"]?.value == 1)
      // Above or beside: NOT_FOUND, as for a unit that does not exist.
      for (principal, unit) in [(centre2, "S01"), (centre2, "CTR"), (street, "D01"), (f.base.clerk, "CTR2"), (street, "NOPE")] {
        let failure = await rpcCode { _ = try await f.metrics(principal, unit: unit, period: "2026-11") }
        #expect(failure?.0 == .notFound, "\(principal.unitCode) → \(unit)")
      }
      // The district's supervisor and the auditor grant see every unit; a supervisor below the
      // district sees its own subtree, like anyone (a scope comes from the unit alone).
      let auditor = f.base.principal("auditor", "CIVIL", [.auditor])
      for principal in [f.base.supervisor, auditor] {
        #expect(try await f.metrics(principal, unit: "CTR2", period: "2026-11")["acceptance_rate"]?.value == 1)
        #expect(try await f.metrics(principal, unit: "D01", period: "2026-11", subtree: true)["acceptance_rate"]?.value == 1)
      }
      let supervisorBelow = f.base.principal("sup-civil", "CIVIL", [.supervisor])
      let beside = await rpcCode { _ = try await f.metrics(supervisorBelow, unit: "CTR2", period: "2026-11") }
      #expect(beside?.0 == .notFound)
      // A report is scoped the same way.
      var request = Civicgrid_V1_GetReportRequest()
      request.cadence = "month"
      request.period = "2026-11"
      request.unitCode = "CTR"
      let refused = await rpcCode { _ = try await f.call(centre2) { try await f.evaluation.getReport(request: request, context: $0) } }
      #expect(refused?.0 == .notFound)
      request.unitCode = "S01"
      let report = try await f.call(street) { try await f.evaluation.getReport(request: request, context: $0) }
      #expect(report.markdown.contains("# Monthly review (月研判): S01 (S01), 2026-11"))
      #expect(report.markdown.contains("| Window acceptance rate (受理率) | 100.00% | 1 | 1 |"))
      #expect(report.csv.hasPrefix("unit,period,indicator,value,numerator,denominator,closed\n"))
      #expect(report.csv.split(separator: "\n").count == 1 + 6 * Indicator.allCases.count)
    }
  }
}
