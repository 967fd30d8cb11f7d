import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
import GRPCCore
import Logging
import Testing

@testable import CivicServices

/// Indicator targets and the assessment scheme as versioned, audited data (docs/EVALUATION.md,
/// "Targets", "The scheme as data"), and the sweeper's target alerts (docs/SUPERVISION.md).
/// November 2026: CTR took in two immediate items and refused one (acceptance 2 ÷ 3), CTR2
/// accepted one (1 ÷ 1).
@Suite("Targets and the assessment scheme", .serialized, .timeLimit(.minutes(5)))
struct TargetsAndSchemeTests {
  typealias F = EvaluationFixture

  func seedNovember(_ f: F) async throws {
    try await f.seedCase(promised: false, submitted: F.at("2026-11-03"))
    try await f.seedCase(promised: false, submitted: F.at("2026-11-04"))
    try await f.seedCase(promised: false, submitted: F.at("2026-11-05"), decision: .refuse)
    try await f.seedCase(unit: "CTR2", promised: false, submitted: F.at("2026-11-06"))
  }

  func assessment(_ f: F) async throws -> Civicgrid_V1_Assessment {
    var request = Civicgrid_V1_GetAssessmentRequest()
    request.period = "2026-11"
    request.unitKind = "centre"
    return try await f.call(f.base.supervisor) { try await f.evaluation.getAssessment(request: request, context: $0) }
  }

  func setTargets(_ f: F, _ targets: [(String, Civicgrid_V1_TargetComparison, Double)], expected: Int32, as principal: Principal? = nil)
    async throws -> Civicgrid_V1_IndicatorTargets
  {
    var request = Civicgrid_V1_SetTargetsRequest()
    request.expectedVersion = expected
    request.targets = targets.map { indicator, comparison, threshold in
      var target = Civicgrid_V1_IndicatorTarget()
      target.indicator = indicator
      target.comparison = comparison
      target.threshold = threshold
      return target
    }
    return try await f.call(principal ?? f.base.admin) { try await f.evaluation.setTargets(request: request, context: $0) }
  }

  @Test(
    "targets: the plan's version 1; metrics and the assessment flag misses; SetTargets validated, versioned, audited; a closed period keeps its version"
  )
  func targets() async throws {
    try await F.with { f in
      try await self.seedNovember(f)
      let plan = try await f.call(f.base.clerk) { try await f.evaluation.getTargets(request: .init(), context: $0) }
      #expect(plan.version == 1 && plan.history == [1])
      #expect(plan.targets.map(\.indicator) == ["acceptance_rate", "on_time_completion_rate", "dispute_resolution_rate"])
      #expect(plan.targets.map(\.threshold) == [1, 1, 0.95] && plan.targets.allSatisfy { $0.comparison == .atLeast })

      let ctr = try await f.metrics(f.base.supervisor, unit: "CTR", period: "2026-11")
      #expect(ctr["acceptance_rate"]?.target == "≥ 100.00%" && ctr["acceptance_rate"]?.missedTarget == true)
      #expect(ctr["on_time_completion_rate"]?.missedTarget == false, "not applicable: misses nothing")
      #expect(ctr["satisfaction_rate"]?.target == "", "no target")
      #expect(try await f.metrics(f.base.supervisor, unit: "CTR2", period: "2026-11")["acceptance_rate"]?.missedTarget == false)
      let flagged = try await self.assessment(f)
      #expect(flagged.targetsVersion == 1)
      #expect(flagged.units.first { $0.unitCode == "CTR" }?.missedTargets == ["acceptance_rate"])
      #expect(flagged.units.first { $0.unitCode == "CTR2" }?.missedTargets == [])

      // Refusals: the field named, a district-wide admin only, the version read.
      for (field, target) in [
        ("targets[0].threshold", ("acceptance_rate", Civicgrid_V1_TargetComparison.atLeast, 95.0)),
        ("targets[0].indicator", ("speed", .atLeast, 0.5)), ("targets[0].comparison", ("acceptance_rate", .unspecified, 0.5)),
      ] {
        let failure = await rpcCode { _ = try await self.setTargets(f, [target], expected: 1) }
        #expect(failure?.0 == .invalidArgument && failure?.1.hasPrefix(field + ":") == true, "\(field): \(String(describing: failure))")
      }
      let twice = await rpcCode {
        _ = try await self.setTargets(f, [("acceptance_rate", .atLeast, 1), ("acceptance_rate", .atLeast, 0.5)], expected: 1)
      }
      #expect(twice?.0 == .invalidArgument && twice?.1.hasPrefix("targets[1].indicator:") == true)
      let local = await rpcCode { _ = try await self.setTargets(f, [], expected: 1, as: f.base.principal("admin2", "CTR", [.admin])) }
      #expect(local?.0 == .permissionDenied)
      let stale = await rpcCode { _ = try await self.setTargets(f, [], expected: 0) }
      #expect(stale?.0 == .aborted)

      let relaxed = try await self.setTargets(f, [("acceptance_rate", .atLeast, 0.5), ("overdue_count", .atMost, 0)], expected: 1)
      #expect(relaxed.version == 2 && relaxed.history == [2, 1] && relaxed.createdBy == "admin@D01")
      #expect(try await f.pool.query("SELECT count(*) FROM audit_log WHERE object = 'targets/2'").scalar(Int.self) == 1)
      #expect(try await self.assessment(f).units.allSatisfy { $0.missedTargets.isEmpty })

      // Closed under version 2: a stricter version 3 does not flag the frozen period.
      var close = Civicgrid_V1_ClosePeriodRequest()
      close.period = "2026-11"
      _ = try await f.call(f.base.supervisor) { try await f.evaluation.closePeriod(request: close, context: $0) }
      _ = try await self.setTargets(f, [("acceptance_rate", .atLeast, 1)], expected: 2)
      let frozen = try await self.assessment(f)
      #expect(frozen.closed && frozen.targetsVersion == 2 && frozen.units.allSatisfy { $0.missedTargets.isEmpty })
      #expect(try await f.metrics(f.base.supervisor, unit: "CTR", period: "2026-11")["acceptance_rate"]?.target == "≥ 50.00%")
      var old = Civicgrid_V1_GetTargetsRequest()
      old.version = 1
      #expect(
        try await f.call(f.base.principal("aud", "CTR2", [.auditor])) { try await f.evaluation.getTargets(request: old, context: $0) }
          .targets.count == 3
      )
    }
  }

  @Test(
    "the scheme: version 2 in force; SetScheme validated, versioned, audited; an open period follows it, a closed one keeps its version"
  )
  func scheme() async throws {
    try await F.with { f in
      try await self.seedNovember(f)
      let current = try await f.call(f.base.supervisor) { try await f.evaluation.getScheme(request: .init(), context: $0) }
      #expect(current.version == 2 && current.history == [2, 1])
      #expect(current.basicWork.map(\.indicator).suffix(2) == ["dispute_resolution_rate", "agreement_fulfilment_rate"])
      #expect(current.basicWork.reduce(0) { $0 + $1.points } == 70)

      func request(_ weights: [(String, Double)], name: String = "受理70+社会评价30", expected: Int32) -> Civicgrid_V1_SetSchemeRequest {
        var request = Civicgrid_V1_SetSchemeRequest()
        request.name = name
        request.basicWork = weights.map { indicator, points in
          var weight = Civicgrid_V1_SchemeWeight()
          weight.indicator = indicator
          weight.points = points
          return weight
        }
        request.socialEvaluationPoints = 30
        request.pointsPerListedOrder = 2
        request.pointsPerCriticism = 3
        request.penaltyCap = 20
        request.expectedVersion = expected
        return request
      }
      for (field, bad) in [
        ("basic_work[0].indicator", request([("average_handling_days", 70)], expected: 2)),
        ("basic_work[0].points", request([("acceptance_rate", -1)], expected: 2)),
        ("basic_work", request([], expected: 2)), ("name", request([("acceptance_rate", 70)], name: " ", expected: 2)),
      ] {
        let failure = await rpcCode { _ = try await f.call(f.base.admin) { try await f.evaluation.setScheme(request: bad, context: $0) } }
        #expect(failure?.0 == .invalidArgument && failure?.1.hasPrefix(field + ":") == true, "\(field): \(String(describing: failure))")
      }
      let stale = await rpcCode {
        _ = try await f.call(f.base.admin) {
          try await f.evaluation.setScheme(request: request([("acceptance_rate", 70)], expected: 1), context: $0)
        }
      }
      #expect(stale?.0 == .aborted)

      let set = try await f.call(f.base.admin) {
        try await f.evaluation.setScheme(request: request([("acceptance_rate", 70)], expected: 2), context: $0)
      }
      #expect(set.version == 3 && set.name == "受理70+社会评价30" && set.createdBy == "admin@D01")
      #expect(try await f.pool.query("SELECT count(*) FROM audit_log WHERE object = 'assessment-scheme/3'").scalar(Int.self) == 1)
      let open = try await self.assessment(f)
      #expect(open.schemeVersion == 3)
      #expect(open.units.first { $0.unitCode == "CTR" }?.basicWork == 46.67)  // 70 × 2 ÷ 3

      var close = Civicgrid_V1_ClosePeriodRequest()
      close.period = "2026-11"
      _ = try await f.call(f.base.supervisor) { try await f.evaluation.closePeriod(request: close, context: $0) }
      _ = try await f.call(f.base.admin) {
        try await f.evaluation.setScheme(request: request([("acceptance_rate", 10)], name: "v4", expected: 3), context: $0)
      }
      let closed = try await self.assessment(f)
      #expect(closed.closed && closed.schemeVersion == 3 && closed.units.first { $0.unitCode == "CTR" }?.basicWork == 46.67)
      var old = Civicgrid_V1_GetSchemeRequest()
      old.version = 1
      #expect(
        try await f.call(f.base.principal("aud", "CTR2", [.auditor])) { try await f.evaluation.getScheme(request: old, context: $0) }.name
          == "基础工作70+社会评价30"
      )
    }
  }

  @Test("target alerts: a running figure below its target in the open month alerts its unit once per indicator and month")
  func alerts() async throws {
    try await F.with(now: F.at("2026-11-20")) { f in
      try await self.seedNovember(f)
      let watch = TargetWatch(store: f.pool, logger: Logger(label: "test.targets"), now: { f.clock.now })
      func raised() async throws -> [String] {
        try await f.pool.query(
          """
          SELECT u.code || ' ' || t.period || ' ' || t.indicator FROM target_alerts t JOIN units u ON u.id = t.unit_id
          ORDER BY u.code, t.period, t.indicator
          """
        ).rows.map { try $0.decode(String.self, at: 0) }
      }
      // CTR 2 ÷ 3 and the district's subtree 3 ÷ 4 fall short of 100 %; S01's subtree (CTR2) does not.
      #expect(try await watch.check() == 2)
      #expect(try await raised() == ["CTR 2026-11 acceptance_rate", "D01 2026-11 acceptance_rate"])
      let summary = try await f.pool.query(
        "SELECT summary FROM supervision_alerts WHERE kind = 'targetMissed' AND unit_id = $1",
        [f.base.units["CTR"]!.id]
      ).scalar(String.self)
      #expect(summary?.contains("66.67%") == true && summary?.contains("≥ 100.00%") == true, "\(String(describing: summary))")
      #expect(try await watch.check() == 0, "once per unit, indicator and month")
      try await f.seedCase(unit: "CTR2", promised: false, submitted: F.at("2026-11-21"), decision: .refuse)
      f.clock.set(F.at("2026-11-23"))
      #expect(try await watch.check() == 2, "CTR2 and S01's subtree now 1 ÷ 2; the district's, 3 ÷ 5, was alerted already")
      f.clock.set(F.at("2026-12-03"))
      try await f.seedCase(promised: false, submitted: F.at("2026-12-02"), decision: .refuse)
      let december = try await watch.check()
      let raisedNow = try await raised()
      #expect(december == 2, "a new month alerts again: CTR and D01 in December; \(raisedNow)")
      #expect(try await f.pool.query("SELECT count(*) FROM supervision_alerts WHERE kind = 'targetMissed'").scalar(Int.self) == 6)
    }
  }

  @Test("a target check recomputes every unit first, nothing without new case events, the units above a changed case, and every unit again after the full interval")
  func incrementalChecks() async throws {
    try await F.with(now: F.at("2026-11-20")) { f in
      try await self.seedNovember(f)
      // The watermark is the newest numbered case event: wait for the sequencer after each change.
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool))
      let watch = TargetWatch(store: f.pool, logger: Logger(label: "test.targets"), fullEvery: .seconds(3600), now: { f.clock.now })
      let units = try await f.pool.query("SELECT count(*) FROM units").scalar(Int.self)
      let first = try await watch.run()
      #expect(first.scope == .everything && first.units == units && first.raised == 2)
      let quiet = try await watch.run()
      #expect(quiet.scope == .nothing && quiet.units == 0 && quiet.raised == 0, "no case event since the last check")
      try await f.seedCase(unit: "CTR2", promised: false, submitted: F.at("2026-11-19"), decision: .refuse)
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool))
      let changed = try await watch.run()
      guard case .changedSince = changed.scope else { Issue.record("\(changed.scope)"); return }
      #expect(changed.units == 3, "CTR2, S01 and D01: the units whose subtree holds the changed case")
      #expect(changed.raised == 2, "CTR2 and S01's subtree now 1 ÷ 2; D01 was alerted already")
      f.clock.set(F.at("2026-11-20").adding(seconds: 3600))
      let hourly = try await watch.run()
      #expect(hourly.scope == .everything && hourly.units == units && hourly.raised == 0, "an hour on: everything, nothing new to raise")
    }
  }

  @Test("a check after changes reads again only the changed cases' facts and computes the same figures as a full check")
  func changedCheckEqualsFullCheck() async throws {
    try await F.with(now: F.at("2026-11-20")) { f in
      try await self.seedNovember(f)
      let pending = try await f.seedCase(unit: "CTR2", promised: false, submitted: F.at("2026-11-10"), decision: .none)
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool))
      let watch = TargetWatch(store: f.pool, logger: Logger(label: "test.targets"), fullEvery: .seconds(3600), now: { f.clock.now })
      let first = try await watch.run()
      #expect(first.scope == .everything)
      let ctr2 = try #require(f.base.units["CTR2"]?.path)
      #expect(first.figures[ctr2]?.first { $0.indicator == .acceptanceRate }?.denominator == 1, "the pending case is not decided yet")

      // A kept case changes (the pending one is refused) and a new one is taken in and completed elsewhere.
      try await f.pool.transaction { connection in
        let repository = CaseRepository(connection)
        let record = try #require(try await repository.load([pending]).first)
        let change = try record.value.applying(
          .refuse(reason: "not eligible"), expectedVersion: record.value.version, policy: .serviceApplication, at: F.at("2026-11-19"),
          by: Party.staff("clerk1", unit: "CTR2")
        )
        try await repository.update(id: pending, old: record.value, new: change, unitPath: record.unitPath, calendar: F.calendar)
      }
      try await f.seedCase(unit: "CTR", submitted: F.at("2026-11-17"), completed: F.at("2026-11-19"))
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool))
      f.clock.set(F.at("2026-11-20", 10, 30))  // within the hour: no full check due

      let changed = try await watch.run()
      guard case .changedSince = changed.scope else {
        Issue.record("\(changed.scope)")
        return
      }
      let full = try await TargetWatch(store: f.pool, logger: Logger(label: "test.targets"), now: { f.clock.now }).run()
      #expect(full.scope == .everything)
      #expect(changed.units < full.units && changed.figures.count == changed.units)
      for (path, figures) in changed.figures {
        #expect(figures == full.figures[path], "\(path): the changed check's figures differ from a full check's")
      }
      let acceptance = changed.figures[ctr2]?.first { $0.indicator == .acceptanceRate }
      #expect(acceptance?.numerator == 1 && acceptance?.denominator == 2, "the refused case's facts were read again")
    }
  }
}
