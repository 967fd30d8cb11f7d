import CivicDomain
import CivicProtos
import CivicRepositories
import CivicServices
import CivicStore
import Foundation
import SwiftProtobuf
import GRPCCore
import Testing

/// The Disputes service against a scratch PostgreSQL database (docs/DISPUTES.md): every
/// command through the case engine, its refusals, escalation along the ladder, masking,
/// idempotent partner intake and scope.
@Suite("Disputes", .serialized, .timeLimit(.minutes(5)))
struct DisputesServiceTests {
  @Test("a dispute from intake to closing: review, failed people's mediation, escalation one rung up, administrative agreement, follow-up, close")
  func fullFlow() async throws {
    try await DisputeFixture.with { f in
      let submitted = try await f.submit()
      #expect(submitted.state == "registered" && submitted.ladderLevel == 1 && submitted.ladderRung == "community")
      #expect(submitted.parties.map(\.name) == ["Zhang Xiuying", "Li Wei"])

      let routed = try await f.recordReview(submitted, [(.peoplesMediation, "MC1")])
      #expect(routed.state == "mediating" && routed.risk == .medium)
      #expect(routed.routes.map(\.task.unitCode) == ["MC1"] && routed.routes[0].task.state == "pending")
      #expect(routed.routes[0].task.clock.limitWorkingDays == 10)
      #expect(routed.reviews.map(\.round) == [1] && routed.reviews[0].ladderLevel == 1)

      var schedule = Civicgrid_V1_ScheduleSessionRequest()
      schedule.disputeID = routed.id
      schedule.expectedVersion = routed.version
      schedule.task = 1
      schedule.scheduledAt = Google_Protobuf_Timestamp(seconds: 1_796_000_000)
      schedule.place = "MC1 meeting room"
      let scheduled = try await f.call(f.committee) { try await f.disputes.scheduleSession(request: schedule, context: $0) }
      #expect(scheduled.sessions.map(\.number) == [1] && !scheduled.sessions[0].held)
      var held = Civicgrid_V1_RecordSessionRequest()
      held.disputeID = routed.id
      held.expectedVersion = scheduled.version
      held.session = 1
      held.attendees = ["Zhang Xiuying", "Li Wei", "med-mc1"]
      held.notes = "no common ground on the cost"
      let heldDispute = try await f.call(f.committee) { try await f.disputes.recordSession(request: held, context: $0) }
      #expect(heldDispute.sessions[0].held && heldDispute.sessions[0].attendees.count == 3)
      held.expectedVersion = heldDispute.version
      let again = await rpcCode { _ = try await f.call(f.committee) { try await f.disputes.recordSession(request: held, context: $0) } }
      #expect(again?.0 == .failedPrecondition)

      let failed = try await f.recordOutcome(heldDispute, task: 1, .failed)
      #expect(failed.state == "escalated")
      #expect(failed.ladderLevel == 2 && failed.ladderRung == "street")
      #expect(failed.routes[0].outcome == .failed && failed.routes[0].task.state == "denied")

      let rerouted = try await f.recordReview(failed, [(.administrativeMediation, "FIN")])
      #expect(rerouted.state == "mediating" && rerouted.reviews.map(\.ladderLevel) == [1, 2])
      #expect(rerouted.routes.map(\.round) == [1, 2] && rerouted.routes[1].task.number == 2)

      let agreed = try await f.recordOutcome(rerouted, task: 2, .agreement, as: f.base.handler("FIN"))
      #expect(agreed.state == "concluded" && agreed.routes[1].outcome == .agreement)

      var followUp = Civicgrid_V1_RecordFulfilmentRequest()
      followUp.disputeID = agreed.id
      followUp.expectedVersion = agreed.version
      followUp.task = 2
      followUp.fulfilled = true
      followUp.note = "wall rebuilt"
      let followed = try await f.call(f.gridWorker) { try await f.disputes.recordFulfilment(request: followUp, context: $0) }
      #expect(followed.routes[1].fulfilmentChecked && followed.routes[1].fulfilled)
      followUp.expectedVersion = followed.version
      let twice = await rpcCode { _ = try await f.call(f.gridWorker) { try await f.disputes.recordFulfilment(request: followUp, context: $0) } }
      #expect(twice?.0 == .failedPrecondition)

      let closed = try await f.call(f.mediator) { try await f.disputes.closeDispute(request: f.close(followed, .resolved, rating: 5), context: $0) }
      #expect(closed.state == "closed" && closed.result == .resolved && closed.returnVisited && closed.satisfied && closed.rating == 5)

      let shown = try await f.get(closed.id)
      let kinds = shown.timeline.map(\.kind)
      #expect(kinds.first == "submitted" && kinds.contains("taskDenied") && kinds.contains("taskApproved") && kinds.contains("returnVisited"), "\(kinds)")
      #expect(try await f.base.pool.query("SELECT is_open FROM cases WHERE id = $1", [Int64(closed.id.dropFirst())!]).scalar(Bool.self) == false)
      let audited = try await f.base.pool.query("SELECT count(*) FROM audit_log WHERE object = $1", ["dispute/\(closed.id)"]).scalar(Int.self)
      #expect(audited == 9, "submit, review, schedule, session, outcome, review, outcome, follow-up, close; refused commands leave none")

      // The indicators' facts: one concluded dispute, resolved; one agreement followed up, fulfilled.
      let window = Instant(secondsSinceEpoch: 0)..<Instant(secondsSinceEpoch: Int(Date().timeIntervalSince1970) + 60)
      let range = f.units["CTR"]!.path
      let (closings, followUps) = try await f.base.pool.withConnection { connection in
        let disputes = DisputeRepository(connection)
        let scope = (lower: range, upper: String(range.dropLast()) + "0")
        return (try await disputes.closings(range: scope, in: window), try await disputes.followUps(range: scope, in: window))
      }
      let selector = UnitSelector(path: range, subtree: true)
      #expect(DisputeIndicators.resolutionRate(closings, for: selector, in: window, asOf: window.upperBound).value == 1)
      #expect(DisputeIndicators.fulfilmentRate(followUps, for: selector, in: window, asOf: window.upperBound).drill.map(\.counted) == [true])
    }
  }

  @Test("a route with its own working days gets a task on that limit and deadline; a route without keeps the review's")
  func routeLimits() async throws {
    try await DisputeFixture.with { f in
      let dispute = try await f.submit()
      var review = f.review(dispute, [(.peoplesMediation, "MC1"), (.legalAid, "SO1"), (.judicialMediation, "COURT")], days: 10)
      review.routes[0].workingDays = 3
      review.routes[2].workingDays = 20
      let routed = try await f.call(f.mediator) { try await f.disputes.recordReview(request: review, context: $0) }
      #expect(routed.routes.map(\.task.clock.limitWorkingDays) == [3, 10, 20])
      let deadlines = routed.routes.map(\.task.clock.deadline.seconds)
      #expect(deadlines[0] < deadlines[1] && deadlines[1] < deadlines[2], "each deadline follows its own limit: \(deadlines)")
      #expect(routed.reviews.map(\.workingDays) == [10], "the review keeps its default")
      let again = try await f.get(routed.id)
      #expect(again.routes.map(\.task.clock.limitWorkingDays) == [3, 10, 20], "the stored plan keeps each route's limit")
    }
  }

  @Test("illegal transitions answer FAILED_PRECONDITION naming the state; a stale version ABORTED; another kind's case NOT_FOUND")
  func refusals() async throws {
    try await DisputeFixture.with { f in
      let submitted = try await f.submit()
      let early = await rpcCode { _ = try await f.recordOutcome(submitted, task: 1, .agreement, as: f.mediator) }
      #expect(early?.0 == .notFound, "no task 1 yet: \(String(describing: early))")
      let routed = try await f.recordReview(submitted, [(.peoplesMediation, "MC1"), (.legalAid, "SO1")])
      let twice = await rpcCode { _ = try await f.recordReview(routed, [(.peoplesMediation, "MC1")]) }
      #expect(twice?.0 == .failedPrecondition && twice?.1.contains("mediating") == true)
      let stale = await rpcCode { _ = try await f.recordOutcome(submitted, task: 1, .agreement) }
      #expect(stale?.0 == .aborted)
      let resolved = await rpcCode { _ = try await f.call(f.mediator) { try await f.disputes.closeDispute(request: f.close(routed, .resolved), context: $0) } }
      #expect(resolved?.0 == .failedPrecondition)
      let half = try await f.recordOutcome(routed, task: 1, .failed)
      #expect(half.state == "mediating", "one route of two still open")
      let repeated = await rpcCode { _ = try await f.recordOutcome(half, task: 1, .agreement) }
      #expect(repeated?.0 == .failedPrecondition)
      let withdrawn = try await f.call(f.mediator) { try await f.disputes.closeDispute(request: f.close(half, .withdrawn), context: $0) }
      #expect(withdrawn.state == "closed" && withdrawn.routes.map(\.task.state) == ["denied", "withdrawn"])
      let afterClose = await rpcCode { _ = try await f.call(f.mediator) { try await f.disputes.closeDispute(request: f.close(withdrawn, .notResolved), context: $0) } }
      #expect(afterClose?.0 == .failedPrecondition && afterClose?.1.contains("closed") == true)

      try await f.base.publishItem()
      let application = try await f.base.call(f.base.clerk) { try await f.base.cases.submitApplication(request: f.base.application(), context: $0) }
      let other = await rpcCode { _ = try await f.get(application.id, as: f.clerk) }
      #expect(other?.0 == .notFound)
    }
  }

  @Test("bad input answers INVALID_ARGUMENT naming the field")
  func badInput() async throws {
    try await DisputeFixture.with { f in
      let checks: [(String, (inout Civicgrid_V1_SubmitDisputeRequest) -> Void)] = [
        ("type", { $0.type = .unspecified }),
        ("category", { $0.category = .unspecified }),
        ("category", { $0.type = .firstLetter }),
        ("channel", { $0.channel = .unspecified }),
        ("summary", { $0.summary = "" }),
        ("parties", { $0.parties = [] }),
        ("parties", { $0.parties[0].role = .thirdParty }),
        ("parties[0].id_number", { $0.parties[0].idNumber = "12345" }),
        ("parties[1].phone", { $0.parties[1].phone = "call me" }),
        ("parties[1].name", { $0.parties[1].name = "" }),
        ("related_case_id", { $0.relatedCaseID = "X1" }),
        ("related_case_id", { $0.relatedCaseID = "C99999" }),
      ]
      for (field, change) in checks {
        var request = f.submission()
        change(&request)
        let answer = await rpcCode { _ = try await f.call(f.clerk) { try await f.disputes.submitDispute(request: request, context: $0) } }
        #expect(answer?.0 == .invalidArgument && answer?.1.hasPrefix(field) == true, "\(field): \(String(describing: answer))")
      }
      let dispute = try await f.submit()
      let reviews: [(String, (inout Civicgrid_V1_RecordReviewRequest) -> Void)] = [
        ("held_on", { $0.heldOn = "tomorrow" }),
        ("participants", { $0.participants = [] }),
        ("risk", { $0.risk = .unspecified }),
        ("assessment", { $0.assessment = " " }),
        ("routes", { $0.routes = [] }),
        ("routes[0].channel", { $0.routes[0].channel = .unspecified }),
        ("routes[0].unit_code", { $0.routes[0].unitCode = "NOWHERE" }),
        ("routes", { $0.routes.append($0.routes[0]) }),
        ("working_days", { $0.workingDays = 0 }),
        ("routes[0].working_days", { $0.routes[0].workingDays = 61 }),
        ("routes[0].working_days", { $0.routes[0].workingDays = -1 }),
        ("dispute_id", { $0.disputeID = "42" }),
      ]
      for (field, change) in reviews {
        var request = f.review(dispute, [(.peoplesMediation, "MC1")])
        change(&request)
        let answer = await rpcCode { _ = try await f.call(f.mediator) { try await f.disputes.recordReview(request: request, context: $0) } }
        #expect(answer?.0 == .invalidArgument && answer?.1.hasPrefix(field) == true, "\(field): \(String(describing: answer))")
      }
      let routed = try await f.recordReview(dispute, [(.peoplesMediation, "MC1")])
      let outcomes: [(String, (inout Civicgrid_V1_RecordOutcomeRequest) -> Void)] = [
        ("outcome", { $0.outcome = .unspecified }), ("detail", { $0.detail = "" }), ("task", { $0.task = 0 }),
      ]
      for (field, change) in outcomes {
        var request = f.outcome(routed, task: 1, .agreement)
        change(&request)
        let answer = await rpcCode { _ = try await f.call(f.committee) { try await f.disputes.recordOutcome(request: request, context: $0) } }
        #expect(answer?.0 == .invalidArgument && answer?.1.hasPrefix(field) == true, "\(field): \(String(describing: answer))")
      }
      var close = f.close(routed, .withdrawn)
      close.returnVisited = true
      close.rating = 9
      let rating = await rpcCode { _ = try await f.call(f.mediator) { try await f.disputes.closeDispute(request: close, context: $0) } }
      #expect(rating?.0 == .invalidArgument && rating?.1.hasPrefix("rating") == true)
    }
  }

  @Test("parties' ID numbers and phones are shown to clerks, handlers and (in disputes) mediators, masked for grid workers, supervisors and auditors")
  func masking() async throws {
    try await DisputeFixture.with { f in
      let submitted = try await f.submit()
      #expect(submitted.parties[0].idNumber == DisputeFixture.idNumber && submitted.parties[0].phone == DisputeFixture.phone, "the clerk who took it in")
      let routed = try await f.recordReview(submitted, [(.administrativeMediation, "FIN")])
      #expect(routed.parties[0].idNumber == DisputeFixture.idNumber && routed.parties[0].phone == DisputeFixture.phone, "the mediator's answer")
      let full = try await f.get(submitted.id, as: f.base.handler("FIN"))
      #expect(full.parties[0].idNumber == DisputeFixture.idNumber && full.parties[0].phone == DisputeFixture.phone)
      let mediated = try await f.get(submitted.id, as: f.principal("med-fin", "FIN", [.mediator]))
      #expect(mediated.parties[0].idNumber == DisputeFixture.idNumber, "the route's mediator identifies the parties")
      var agenda = Civicgrid_V1_GetAgendaRequest()
      agenda.unitCode = "CTR"
      _ = try await f.call(f.mediator) { try await f.disputes.getAgenda(request: agenda, context: $0) }
      var serviceCase = Civicgrid_V1_Case()
      serviceCase.applicant.idNumber = DisputeFixture.idNumber
      let elsewhere = try MaskPlan.bundled.response(serviceCase, for: f.mediator)
      #expect(elsewhere.applicant.idNumber == DisputeFixture.maskedID, "a mediator sees a service case's applicant masked")
      for who in [f.gridWorker, f.supervisor, f.auditor] {
        let shown = try await f.get(submitted.id, as: who)
        #expect(shown.parties[0].idNumber == DisputeFixture.maskedID, "id_number for \(who.login)")
        #expect(shown.parties[0].phone == DisputeFixture.maskedPhone, "phone for \(who.login)")
        var list = Civicgrid_V1_ListDisputesRequest()
        list.pageSize = 10
        let listed = try await f.call(who) { try await f.disputes.listDisputes(request: list, context: $0) }
        #expect(listed.disputes.map(\.parties[0].idNumber) == [DisputeFixture.maskedID], "ListDisputes for \(who.login)")
      }
      let stored = try await f.base.pool.query("SELECT id_number FROM dispute_parties WHERE position = 1").scalar(String.self)
      #expect(stored == DisputeFixture.idNumber, "stored in full; masking is in the answer only")
    }
  }

  @Test("50 parallel retries of one partner submission make exactly one dispute and all answer it; another request under the key is FAILED_PRECONDITION")
  func idempotentPartnerIntake() async throws {
    try await DisputeFixture.with { f in
      let request = f.submission(channel: .partner, key: "portal-2026-0001")
      let ids = try await withThrowingTaskGroup(of: String.self) { group in
        for _ in 0..<50 {
          group.addTask { try await f.call(f.partner) { try await f.disputes.submitDispute(request: request, context: $0) }.id }
        }
        return try await group.reduce(into: [String]()) { $0.append($1) }
      }
      #expect(ids.count == 50 && Set(ids).count == 1)
      #expect(try await f.base.pool.query("SELECT count(*) FROM disputes").scalar(Int.self) == 1)
      #expect(try await f.base.pool.query("SELECT count(*) FROM dispute_parties").scalar(Int.self) == 2)
      let different = f.submission(channel: .partner, key: "portal-2026-0001", summary: "something else")
      let answer = await rpcCode { _ = try await f.call(f.partner) { try await f.disputes.submitDispute(request: different, context: $0) } }
      #expect(answer?.0 == .failedPrecondition)
      let keyless = await rpcCode { _ = try await f.call(f.partner) { try await f.disputes.submitDispute(request: f.submission(channel: .partner), context: $0) } }
      #expect(keyless?.0 == .invalidArgument && keyless?.1.hasPrefix("idempotency_key") == true)
    }
  }

  @Test("scope: a door needs its role; another subtree sees NOT_FOUND; a route's unit acts on its own route only; the auditor reads everything")
  func access() async throws {
    try await DisputeFixture.with { f in
      for (who, channel) in [(f.partner, Civicgrid_V1_DisputeChannel.window), (f.gridWorker, .hotline), (f.clerk, .gridWorker)] {
        let answer = await rpcCode { _ = try await f.call(who) { try await f.disputes.submitDispute(request: f.submission(channel: channel), context: $0) } }
        #expect(answer?.0 == .permissionDenied && answer?.1.hasPrefix("channel") == true, "\(who.login) via \(channel)")
      }
      let submitted = try await f.submit()
      let byGrid = try await f.call(f.gridWorker) { try await f.disputes.submitDispute(request: f.submission(channel: .gridWorker), context: $0) }
      #expect(byGrid.channel == .gridWorker)
      let outsider = f.principal("med-ctr2", "CTR2", [.mediator])
      let hidden = await rpcCode { _ = try await f.get(submitted.id, as: outsider) }
      #expect(hidden?.0 == .notFound)
      let review = await rpcCode { _ = try await f.call(outsider) { try await f.disputes.recordReview(request: f.review(submitted, [(.peoplesMediation, "MC1")]), context: $0) } }
      #expect(review?.0 == .notFound)
      let routed = try await f.recordReview(submitted, [(.peoplesMediation, "MC1"), (.administrativeMediation, "FIN")])
      // The committee sees the dispute through its route, acts on its route, not on FIN's, and cannot close it.
      #expect(try await f.get(submitted.id, as: f.committee).id == submitted.id)
      let foreign = await rpcCode { _ = try await f.recordOutcome(routed, task: 2, .agreement, as: f.committee) }
      #expect(foreign?.0 == .notFound)
      let close = await rpcCode { _ = try await f.call(f.committee) { try await f.disputes.closeDispute(request: f.close(routed, .withdrawn), context: $0) } }
      #expect(close?.0 == .notFound)
      let audited = try await f.get(submitted.id, as: f.auditor)
      #expect(audited.id == submitted.id)
      var list = Civicgrid_V1_ListDisputesRequest()
      list.minRisk = .high
      #expect(try await f.call(f.mediator) { try await f.disputes.listDisputes(request: list, context: $0) }.disputes.isEmpty)
      list.minRisk = .medium
      #expect(try await f.call(f.mediator) { try await f.disputes.listDisputes(request: list, context: $0) }.disputes.map(\.id) == [submitted.id])
      let outsiderList = try await f.call(outsider) { try await f.disputes.listDisputes(request: .init(), context: $0) }
      #expect(outsiderList.disputes.isEmpty)
    }
  }

  @Test("at the top of the ladder a failed round stays at the top rung")
  func ladderTop() async throws {
    try await DisputeFixture.with { f in
      var dispute = try await f.submit()
      for level in 1...5 {
        dispute = try await f.recordReview(dispute, [(.judicialMediation, "COURT")])
        dispute = try await f.recordOutcome(dispute, task: Int32(level), .failed, as: f.principal("judge", "COURT", [.mediator]))
        #expect(dispute.state == "escalated" && dispute.ladderLevel == Int32(min(level + 1, 4)), "round \(level)")
      }
      #expect(dispute.ladderRung == "court link")
    }
  }

  @Test("the weekly agenda: high risk first, then overdue routes, then escalations; quiet disputes are left off; time is scripted")
  func agenda() async throws {
    try await DisputeFixture.with { f in
      func reviewed(_ risk: Civicgrid_V1_RiskLevel, days: Int32) async throws -> Civicgrid_V1_Dispute {
        let submitted = try await f.submit()
        return try await f.call(f.mediator) {
          try await f.disputes.recordReview(request: f.review(submitted, [(.peoplesMediation, "MC1")], days: days, risk: risk), context: $0)
        }
      }
      let high = try await reviewed(.high, days: 30)
      let failed = try await f.recordOutcome(try await reviewed(.low, days: 10), task: 1, .failed)
      let quiet = try await reviewed(.low, days: 2)
      _ = try await f.submit()
      let now = try await f.call(f.mediator) { try await f.disputes.getAgenda(request: .init(), context: $0) }
      #expect(now.items.map(\.dispute.id) == [high.id, failed.id])
      #expect(now.items.map(\.reasons) == [["high risk"], ["escalated: a new review is due"]])

      let later = DisputesService(store: f.base.pool, now: { Instant(secondsSinceEpoch: Int(Date().timeIntervalSince1970) + 20 * 86400) })
      let then = try await f.call(f.supervisor) { try await later.getAgenda(request: .init(), context: $0) }
      #expect(then.items.map(\.dispute.id) == [high.id, quiet.id, failed.id], "the quiet dispute's 2-day route is overdue 20 days on")
      #expect(then.items[1].reasons == ["route #1 overdue"])

      var street = Civicgrid_V1_GetAgendaRequest()
      street.unitCode = "CTR2"
      #expect(try await f.call(f.supervisor) { try await f.disputes.getAgenda(request: street, context: $0) }.items.isEmpty)
      street.unitCode = "NOWHERE"
      let unknown = await rpcCode { _ = try await f.call(f.supervisor) { try await f.disputes.getAgenda(request: street, context: $0) } }
      #expect(unknown?.0 == .invalidArgument && unknown?.1.hasPrefix("unit_code") == true)
    }
  }

  @Test("the duty roster: a supervisor stations a department's staff at the centre; intake suggests the mediators on duty today; bad logins and days are INVALID_ARGUMENT")
  func dutyRoster() async throws {
    try await DisputeFixture.with { f in
      for (login, unit, roles) in [("med-fin", "FIN", "{mediator}"), ("hnd-fin", "FIN", "{handler}"), ("med-hr", "HR", "{mediator}")] {
        try await f.base.pool.query(
          "INSERT INTO accounts (login, display_name, unit_id, roles) SELECT $1, $1, id, $2::text[] FROM units WHERE code = $3", [login, roles, unit]
        )
      }
      // Today in the CN calendar's time zone (UTC+8), as intake reads the roster.
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
      formatter.dateFormat = "yyyy-MM-dd"
      let today = formatter.string(from: Date())
      var set = Civicgrid_V1_SetDutyRequest()
      set.centreCode = "CTR"
      set.day = today
      set.departmentCode = "FIN"
      set.logins = ["med-fin", "hnd-fin"]
      let roster = try await f.call(f.supervisor) { try await f.disputes.setDuty(request: set, context: $0) }
      #expect(roster.entries.map(\.logins) == [["hnd-fin", "med-fin"]] && roster.entries[0].day == today)

      let submitted = try await f.submit()
      #expect(submitted.mediatorsOnDuty == ["med-fin"], "handlers on duty are not suggested as mediators")

      var list = Civicgrid_V1_ListDutyRequest()
      list.from = today
      list.to = today
      let listed = try await f.call(f.clerk) { try await f.disputes.listDuty(request: list, context: $0) }
      #expect(listed.centreCode == "CTR" && listed.entries.map(\.departmentCode) == ["FIN"])

      set.logins = ["med-hr"]
      let foreign = await rpcCode { _ = try await f.call(f.supervisor) { try await f.disputes.setDuty(request: set, context: $0) } }
      #expect(foreign?.0 == .invalidArgument && foreign?.1.hasPrefix("logins[0]") == true, "an HR mediator is not FIN's staff")
      set.logins = []
      set.day = "someday"
      let day = await rpcCode { _ = try await f.call(f.supervisor) { try await f.disputes.setDuty(request: set, context: $0) } }
      #expect(day?.0 == .invalidArgument && day?.1.hasPrefix("day") == true)
      set.day = today
      let cleared = try await f.call(f.supervisor) { try await f.disputes.setDuty(request: set, context: $0) }
      #expect(cleared.entries.isEmpty)
      list.to = "2099-01-01"
      let long = await rpcCode { _ = try await f.call(f.clerk) { try await f.disputes.listDuty(request: list, context: $0) } }
      #expect(long?.0 == .invalidArgument && long?.1.hasPrefix("to") == true)
    }
  }
}
