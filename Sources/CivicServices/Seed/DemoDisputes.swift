import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore
import GRPCCore

/// The history's disputes (`DemoHistory`): taken in by the communities' mediation committees
/// (the hotline door) and by grid workers; each gets a joint review and goes the way one of
/// nine in the district does — an agreement at the committee, followed up and fulfilled; an
/// agreement at a social organisation; a partial agreement; a failed people's mediation
/// escalated to administrative mediation at the department that fits, which agrees; a second
/// failure referred out to the court link; a withdrawal; and recent ones still open at review
/// or mediation. Closings carry the return visit and the party's rating.
enum DemoDisputes {
  /// One of the ways a dispute goes.
  enum Course: CaseIterable { case agreement, agreementUnfulfilled, organisation, partial, escalatedAgreement, referredOut, withdrawn }

  static let summaries: [(Civicgrid_V1_DisputeCategory, String)] = [
    (.neighbourhood, "Water leaking from the flat above for weeks"),
    (.neighbourhood, "Parking spaces in the courtyard taken by one household"),
    (.family, "Siblings disagree over caring for their mother"),
    (.property, "Property fee raised without the owners' meeting"),
    (.labour, "Renovation workers unpaid for two months"),
    (.land, "Boundary of a vegetable plot moved"),
    (.neighbourhood, "A dog barking through the night"),
    (.property, "Lift out of order; the management company will not repair it"),
    (.labour, "A restaurant withholds a waiter's deposit"),
    (.other, "Shared water meter bills split unfairly"),
  ]

  /// The department that mediates a category administratively.
  static func department(_ category: Civicgrid_V1_DisputeCategory) -> String {
    switch category {
    case .labour: "QH-HRSS"
    case .property: "QH-HUD"
    case .land: "QH-NR"
    case .family: "QH-CA"
    default: "QH-PS"
    }
  }

  static func seed(_ call: DemoCall, _ clock: HistoryClock) async throws -> Int {
    let communities = DemoDistrict.units.filter { $0.kind == .community || $0.kind == .village }
    let count = clock.days / 2
    for index in 0..<count {
      let community = communities[index % communities.count]
      let course = Course.allCases[HistoryClock.pick(index, Course.allCases.count, salt: 5)]
      let start = clock.start(index, of: count).adding(seconds: (index % 4) * 1_800)
      try await Self.dispute(index, at: community.code, parent: community.parent ?? "", course: course, start: start, call, clock)
    }
    return count
  }

  static func dispute(
    _ index: Int, at community: String, parent street: String, course: Course, start: Instant, _ call: DemoCall, _ clock: HistoryClock
  ) async throws {
    let store = call.store
    let mediator = DemoCentre.committeeMember(community, 1 + index % 2)
    let (category, summary) = Self.summaries[index % Self.summaries.count]
    let grid = "\(community)-G\(1 + index % 3)"
    let byGridWorker = index % 3 == 0
    var submit = Civicgrid_V1_SubmitDisputeRequest()
    submit.type = index % 11 == 5 ? .firstVisit : (index % 13 == 7 ? .firstLetter : .dispute)
    if submit.type == .dispute { submit.category = category }
    submit.channel = byGridWorker ? .gridWorker : .hotline
    submit.summary = summary
    submit.unitCode = grid
    var applicant = Civicgrid_V1_DisputeParty()
    applicant.role = .applicant
    applicant.name = DemoApplications.applicants[(index * 3) % DemoApplications.applicants.count]
    applicant.idNumber = DemoApplications.idNumber(index * 3 % 20)
    applicant.phone = DemoApplications.phone(index * 3 % 20)
    var respondent = Civicgrid_V1_DisputeParty()
    respondent.role = .respondent
    respondent.name = DemoApplications.applicants[(index * 3 + 7) % DemoApplications.applicants.count]
    submit.parties = [applicant, respondent]
    let intake = byGridWorker ? DemoGrid.workerLogin(grid) : mediator
    var dispute = try await Self.run(call, as: intake, at: start) { [submit] service, context in
      try await service.submitDispute(request: submit, context: context)
    }

    // The joint review (联席研判) the next working day: people's mediation at the committee,
    // or at a social organisation for the course that goes there.
    var at = Self.nextWorkingDay(start)
    guard clock.happened(at) else { return }
    let organisation = street == "QH-S2" ? "QH-SO2" : "QH-SO3"
    let first = course == .organisation ? organisation : community
    dispute = try await Self.review(
      dispute, as: mediator, at: at, participants: ["\(mediator)@\(community)", grid], risk: index % 5 == 0 ? .high : .medium,
      assessment: "parties heard separately; both willing to mediate", route: (.peoplesMediation, first), call
    )
    // A session two days on, held; the outcome the day after.
    at = at.adding(seconds: 2 * 86_400)
    guard clock.happened(at) else { return }
    dispute = try await Self.session(dispute, as: mediator, at: at, place: "\(community) mediation room", call)
    at = Self.nextWorkingDay(at)
    guard clock.happened(at) else { return }
    switch course {
    case .agreement, .agreementUnfulfilled, .organisation, .partial:
      let partial = course == .partial
      dispute = try await Self.outcome(
        dispute, as: mediator, at: at, partial ? .partial : .agreement,
        partial ? "repair shared; compensation left to the parties" : "the parties signed a mediation agreement", call
      )
      try await Self.followUpAndClose(dispute, as: mediator, at: at, fulfilled: course != .agreementUnfulfilled, index: index, call, clock)
    case .withdrawn:
      dispute = try await Self.outcome(dispute, as: mediator, at: at, .withdrawn, "the applicant withdrew after talking to the family", call)
      at = at.adding(seconds: 3_600)
      guard clock.happened(at) else { return }
      _ = try await Self.close(dispute, as: mediator, at: at, .withdrawn, note: "withdrawn by the applicant", rating: nil, call)
    case .escalatedAgreement, .referredOut:
      // People's mediation fails: the dispute climbs one rung, and a new review sends it to
      // administrative mediation at the department that fits.
      dispute = try await Self.outcome(dispute, as: mediator, at: at, .failed, "no agreement on who pays", call)
      at = Self.nextWorkingDay(at)
      guard clock.happened(at) else { return }
      let department = Self.department(category)
      dispute = try await Self.review(
        dispute, as: mediator, at: at, participants: ["\(mediator)@\(community)", department], risk: .medium,
        assessment: "escalated after failed people's mediation", route: (.administrativeMediation, department), call
      )
      at = at.adding(seconds: 3 * 86_400)
      guard clock.happened(at) else { return }
      if course == .escalatedAgreement {
        dispute = try await Self.outcome(dispute, as: mediator, at: at, .agreement, "settled at \(department)", call)
        try await Self.followUpAndClose(dispute, as: mediator, at: at, fulfilled: true, index: index, call, clock)
      } else {
        dispute = try await Self.outcome(dispute, as: mediator, at: at, .failed, "the respondent refuses any settlement", call)
        at = at.adding(seconds: 3_600)
        guard clock.happened(at) else { return }
        _ = try await Self.close(
          dispute, as: mediator, at: at, .referredOut, note: "referred to the court's litigation-mediation link", rating: nil, call
        )
      }
    }
  }

  static func followUpAndClose(
    _ settled: Civicgrid_V1_Dispute, as mediator: String, at: Instant, fulfilled: Bool, index: Int, _ call: DemoCall, _ clock: HistoryClock
  ) async throws {
    var dispute = settled
    var at = at.adding(seconds: 7 * 86_400)
    guard clock.happened(at), let task = dispute.routes.last?.task.number else { return }
    dispute = try await Self.run(call, as: mediator, at: at) { [dispute] service, context in
      var request = Civicgrid_V1_RecordFulfilmentRequest()
      request.disputeID = dispute.id
      request.expectedVersion = dispute.version
      request.task = task
      request.fulfilled = fulfilled
      request.note = fulfilled ? "return visit: the terms are carried out" : "return visit: payment still outstanding"
      return try await service.recordFulfilment(request: request, context: context)
    }
    at = at.adding(seconds: 3_600)
    guard clock.happened(at) else { return }
    let rating = fulfilled ? 4 + index % 2 : 3
    _ = try await Self.close(dispute, as: mediator, at: at, .resolved, note: "settled by mediation", rating: rating, call)
  }

  static func review(
    _ dispute: Civicgrid_V1_Dispute, as login: String, at: Instant, participants: [String], risk: Civicgrid_V1_RiskLevel,
    assessment: String, route: (Civicgrid_V1_ResolutionChannel, String), _ call: DemoCall
  ) async throws -> Civicgrid_V1_Dispute {
    var request = Civicgrid_V1_RecordReviewRequest()
    request.disputeID = dispute.id
    request.expectedVersion = dispute.version
    request.heldOn = DemoHistory.date(at)
    request.participants = participants
    request.risk = risk
    request.assessment = assessment
    var target = Civicgrid_V1_Route()
    target.channel = route.0
    target.unitCode = route.1
    request.routes = [target]
    request.workingDays = 10
    return try await Self.run(call, as: login, at: at) { [request] service, context in
      try await service.recordReview(request: request, context: context)
    }
  }

  static func session(_ dispute: Civicgrid_V1_Dispute, as login: String, at: Instant, place: String, _ call: DemoCall) async throws
    -> Civicgrid_V1_Dispute
  {
    guard let task = dispute.routes.last?.task.number else { return dispute }
    var schedule = Civicgrid_V1_ScheduleSessionRequest()
    schedule.disputeID = dispute.id
    schedule.expectedVersion = dispute.version
    schedule.task = task
    schedule.scheduledAt = at.adding(seconds: 3_600).timestamp
    schedule.place = place
    let scheduled = try await Self.run(call, as: login, at: at) { [schedule] service, context in
      try await service.scheduleSession(request: schedule, context: context)
    }
    guard let number = scheduled.sessions.last?.number else { return scheduled }
    var held = Civicgrid_V1_RecordSessionRequest()
    held.disputeID = scheduled.id
    held.expectedVersion = scheduled.version
    held.session = number
    held.attendees = ["applicant", "respondent", login]
    held.notes = "each side set out its position; terms discussed"
    return try await Self.run(call, as: login, at: at.adding(seconds: 3 * 3_600)) { [held] service, context in
      try await service.recordSession(request: held, context: context)
    }
  }

  static func outcome(
    _ dispute: Civicgrid_V1_Dispute, as login: String, at: Instant, _ outcome: Civicgrid_V1_ChannelOutcome, _ detail: String, _ call: DemoCall
  ) async throws -> Civicgrid_V1_Dispute {
    guard let task = dispute.routes.last?.task.number else { return dispute }
    var request = Civicgrid_V1_RecordOutcomeRequest()
    request.disputeID = dispute.id
    request.expectedVersion = dispute.version
    request.task = task
    request.outcome = outcome
    request.detail = detail
    return try await Self.run(call, as: login, at: at) { [request] service, context in
      try await service.recordOutcome(request: request, context: context)
    }
  }

  static func close(
    _ dispute: Civicgrid_V1_Dispute, as login: String, at: Instant, _ result: Civicgrid_V1_DisputeResult, note: String, rating: Int?,
    _ call: DemoCall
  ) async throws -> Civicgrid_V1_Dispute {
    var request = Civicgrid_V1_CloseDisputeRequest()
    request.disputeID = dispute.id
    request.expectedVersion = dispute.version
    request.result = result
    request.note = note
    if let rating {
      request.returnVisited = true
      request.rating = Int32(rating)
      request.satisfied = rating >= 4
    }
    return try await Self.run(call, as: login, at: at) { [request] service, context in
      try await service.closeDispute(request: request, context: context)
    }
  }

  static func run(
    _ call: DemoCall, as login: String, at: Instant,
    _ body: @escaping @Sendable (DisputesService, GRPCCore.ServerContext) async throws -> Civicgrid_V1_Dispute
  ) async throws -> Civicgrid_V1_Dispute {
    let service = DisputesService(store: call.store, now: { at })
    return try await call.run(as: login, service: "civicgrid.v1.Disputes") { context in try await body(service, context) }
  }

  /// 09:00 of the next working day (Monday to Friday) after `at`.
  static func nextWorkingDay(_ at: Instant) -> Instant {
    var next = Instant(secondsSinceEpoch: (at.secondsSinceEpoch / 86_400 + 1) * 86_400 + 3_600)
    while DemoHistory.isWeekend(next) { next = next.adding(seconds: 86_400) }
    return next
  }
}
