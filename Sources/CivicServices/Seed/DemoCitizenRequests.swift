import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore
import GRPCCore

/// The history's citizens' requests (`DemoHistory`): taken in by grid workers on every grid,
/// over the demo routing table's categories, each starting at its lowest tier; one of six ways
/// each — answered at the first tier, escalated once by the tier, a rejected answer reopened at
/// the same tier and answered again, climbed to the district's department, escalated because
/// its time ran out and answered late; the citizen confirms and the grid worker makes the
/// return visit. Recent ones stay at their tier.
enum DemoCitizenRequests {
  enum Course: CaseIterable { case answered, escalatedOnce, rejectedThenAnswered, toDepartment, timedOut, answeredUnsatisfied }

  static let requests: [(category: String, type: Civicgrid_V1_RequestType, text: String)] = [
    ("neighbourhood-noise", .complaint, "A workshop runs machines after 22:00"),
    ("public-sanitation", .report, "Rubbish piling up behind the market"),
    ("property-repairs", .help, "The stairwell lights have been out for a month"),
    ("hardship-assistance", .help, "An elderly neighbour living alone cannot afford heating"),
    ("unpaid-wages", .complaint, "A building site owes three months' wages"),
    ("food-safety", .report, "A snack stall sells food past its date"),
    ("neighbourhood-noise", .suggestion, "Quiet hours should be posted in every courtyard"),
    ("public-sanitation", .complaint, "Street sweepers skip the lane on weekends"),
  ]

  static func seed(_ call: DemoCall, _ clock: HistoryClock) async throws -> Int {
    let grids = DemoDistrict.units.filter { $0.kind == .grid }
    let count = clock.days * 4 / 5
    for index in 0..<count {
      let grid = grids[(index * 7) % grids.count].code
      let course = Course.allCases[HistoryClock.pick(index, Course.allCases.count, salt: 6)]
      let start = clock.start(index, of: count).adding(seconds: 1_800 + (index % 5) * 2_400)
      try await Self.request(index, grid: grid, course: course, start: start, call, clock)
    }
    return count
  }

  static func request(_ index: Int, grid: String, course: Course, start: Instant, _ call: DemoCall, _ clock: HistoryClock) async throws {
    let worker = DemoGrid.workerLogin(grid)
    let spec = Self.requests[index % Self.requests.count]
    var submit = Civicgrid_V1_SubmitRequestRequest()
    submit.type = spec.type
    submit.category = spec.category
    submit.channel = .gridWorker
    submit.citizen.name = DemoApplications.applicants[(index * 5 + 2) % DemoApplications.applicants.count]
    submit.citizen.phone = DemoApplications.phone(index * 5 % 20)
    submit.description_p = spec.text
    var request = try await Self.run(call, as: worker, at: start) { [submit] service, context in
      try await service.submitRequest(request: submit, context: context)
    }
    var at = start
    // How many times the request climbs before it is answered.
    let climbs: Int
    switch course {
    case .answered, .rejectedThenAnswered, .answeredUnsatisfied: climbs = 0
    case .escalatedOnce: climbs = 1
    case .timedOut: climbs = 1
    case .toDepartment: climbs = request.tiers.count - 1
    }
    for _ in 0..<climbs {
      at = DemoDisputes.nextWorkingDay(at).adding(seconds: course == .timedOut ? 6 * 86_400 : 0)
      guard clock.happened(at), let tier = Self.openTier(request), request.tiers.count > 1 else { return }
      guard request.case.tasks.last(where: { $0.state == TaskState.pending.rawValue || $0.state == TaskState.claimed.rawValue })?.stage
        != Int32(request.tiers.count)
      else { break }
      let reason = course == .timedOut ? "time ran out at the tier" : "needs powers beyond the tier"
      request = try await Self.run(call, as: DemoCentre.tierLogin(tier), at: at) { [request] service, context in
        var escalate = Civicgrid_V1_EscalateRequestRequest()
        escalate.requestID = request.id
        escalate.expectedVersion = request.case.version
        escalate.reason = reason
        return try await service.escalateRequest(request: escalate, context: context)
      }
    }
    at = DemoDisputes.nextWorkingDay(at).adding(seconds: course == .timedOut ? 4 * 86_400 : 3_600)
    guard clock.happened(at) else { return }
    request = try await Self.reply(request, at: at, call)
    at = at.adding(seconds: 86_400)
    guard clock.happened(at) else { return }
    if course == .rejectedThenAnswered {
      request = try await Self.confirm(request, as: worker, at: at, accepted: false, call)
      at = DemoDisputes.nextWorkingDay(at)
      guard clock.happened(at) else { return }
      request = try await Self.reply(request, at: at, call)
      at = at.adding(seconds: 86_400)
      guard clock.happened(at) else { return }
    }
    request = try await Self.confirm(request, as: worker, at: at, accepted: true, call)
    at = at.adding(seconds: 2 * 86_400)
    guard clock.happened(at) else { return }
    let satisfied = course != .answeredUnsatisfied
    _ = try await Self.run(call, as: worker, at: at) { [request] service, context in
      var visit = Civicgrid_V1_RecordRequestVisitRequest()
      visit.requestID = request.id
      visit.expectedVersion = request.case.version
      visit.satisfied = satisfied
      visit.note = satisfied ? "the citizen says the matter is settled" : "settled, but the citizen found it slow"
      return try await service.recordRequestVisit(request: visit, context: context)
    }
  }

  /// The unit of the tier holding the request (its open task's unit).
  static func openTier(_ request: Civicgrid_V1_CitizenRequest) -> String? {
    request.case.tasks.last { $0.state == TaskState.pending.rawValue || $0.state == TaskState.claimed.rawValue }?.unitCode
  }

  static func reply(_ request: Civicgrid_V1_CitizenRequest, at: Instant, _ call: DemoCall) async throws -> Civicgrid_V1_CitizenRequest {
    guard let tier = Self.openTier(request) else { return request }
    return try await Self.run(call, as: DemoCentre.tierLogin(tier), at: at) { service, context in
      var reply = Civicgrid_V1_ReplyToRequestRequest()
      reply.requestID = request.id
      reply.expectedVersion = request.case.version
      reply.reply = "\(tier) visited the place and dealt with it; checked again two days later"
      return try await service.replyToRequest(request: reply, context: context)
    }
  }

  static func confirm(_ request: Civicgrid_V1_CitizenRequest, as login: String, at: Instant, accepted: Bool, _ call: DemoCall) async throws
    -> Civicgrid_V1_CitizenRequest
  {
    try await Self.run(call, as: login, at: at) { service, context in
      var confirm = Civicgrid_V1_ConfirmReplyRequest()
      confirm.requestID = request.id
      confirm.expectedVersion = request.case.version
      confirm.accepted = accepted
      confirm.note = accepted ? "the citizen accepts the answer" : "the citizen says nothing has changed"
      return try await service.confirmReply(request: confirm, context: context)
    }
  }

  static func run(
    _ call: DemoCall, as login: String, at: Instant,
    _ body: @escaping @Sendable (RequestsService, ServerContext) async throws -> Civicgrid_V1_CitizenRequest
  ) async throws -> Civicgrid_V1_CitizenRequest {
    let service = RequestsService(store: call.store, now: { at })
    return try await call.run(as: login, service: "civicgrid.v1.Requests") { context in try await body(service, context) }
  }
}
