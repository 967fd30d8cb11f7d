import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore

/// The history's service applications (`DemoHistory`): taken in at the district centre's window,
/// one in twelve refused, the rest accepted; promised items go through their stages of joint
/// processing at the departments (one in seven finishing days after its deadline), then the
/// result is delivered; two in three are rated at completion, one rating in ten is bad and its
/// rectification is reported and visited. Items whose later steps fall after `now` stay open.
enum DemoApplications {
  static let applicants = [
    "Zhang Xiuying", "Wang Jianguo", "Li Guilan", "Liu Yang", "Chen Hong", "Yang Fang", "Huang Wei", "Zhao Min", "Wu Lei",
    "Zhou Jing", "Xu Tao", "Sun Li", "Ma Chao", "Zhu Xia", "Hu Bin", "Guo Ying", "He Qiang", "Gao Na", "Lin Dong", "Luo Ping",
  ]

  /// An ID number and a phone for applicant `index` (the demo's fictional residents).
  static func idNumber(_ index: Int) -> String {
    let month = 1 + index % 12
    let day = 1 + index % 28
    return "110105" + String(1950 + index % 50) + (month < 10 ? "0" : "") + "\(month)" + (day < 10 ? "0" : "") + "\(day)"
      + String(1000 + index % 9000)
  }

  static func phone(_ index: Int) -> String { "139" + String(10_000_000 + index * 7919 % 90_000_000) }

  static func seed(_ call: DemoCall, _ clock: HistoryClock) async throws -> Int {
    let items = DemoCatalog.items.filter { $0.channels.contains(.window) }
    guard !items.isEmpty else { return 0 }
    let count = clock.days * 4 / 3
    for index in 0..<count {
      let item = items[HistoryClock.pick(index, items.count)]
      let start = clock.start(index, of: count).adding(seconds: (index % 6) * 1_200)
      try await Self.application(index, item: item, start: start, call, clock)
    }
    return count
  }

  static func application(_ index: Int, item: CatalogItemDefinition, start: Instant, _ call: DemoCall, _ clock: HistoryClock) async throws {
    let store = call.store
    var submit = Civicgrid_V1_SubmitApplicationRequest()
    submit.itemCode = item.code
    submit.channel = .window
    submit.applicant.name = Self.applicants[index % Self.applicants.count]
    submit.applicant.idNumber = Self.idNumber(index % Self.applicants.count)
    submit.applicant.phone = Self.phone(index % Self.applicants.count)
    submit.providedMaterials = item.materials.map(\.code)
    var value = try await call.run(as: "clerk", service: "civicgrid.v1.Cases") { [submit] context in
      try await CasesService(store: store, now: { start }).submitApplication(request: submit, context: context)
    }
    var at = start.adding(seconds: 1_800)
    guard clock.happened(at) else { return }
    if HistoryClock.pick(index, 12, salt: 1) == 0 {
      var refuse = Civicgrid_V1_RefuseCaseRequest()
      refuse.caseID = value.id
      refuse.expectedVersion = value.version
      refuse.reason = "the applicant's household is registered outside the district"
      _ = try await call.run(as: "clerk", service: "civicgrid.v1.Cases") { [refuse, at] context in
        try await CasesService(store: store, now: { at }).refuseCase(request: refuse, context: context)
      }
      return
    }
    var accept = Civicgrid_V1_AcceptCaseRequest()
    accept.caseID = value.id
    accept.expectedVersion = value.version
    value = try await call.run(as: "clerk", service: "civicgrid.v1.Cases") { [accept, at] context in
      try await CasesService(store: store, now: { at }).acceptCase(request: accept, context: context)
    }
    // Joint processing: each stage's tasks claimed and approved by their departments' handlers,
    // a stage a working day or two; a late case's last stage days past its deadline.
    let late = HistoryClock.pick(index, 7, salt: 2) == 0
    var stageDay = start
    // Stages are numbered from 0; the case is in processing until the last one is approved.
    while value.state == CaseState.inProcessing.rawValue, value.currentStage >= 0 {
      let stage = value.currentStage
      let open = value.tasks.filter { $0.stage == stage && $0.state == TaskState.pending.rawValue }
      guard !open.isEmpty else { break }
      let isLast = Int(stage) == item.stages.count - 1
      let days = late && isLast ? item.promisedWorkingDays * 7 / 5 + 4 : 1 + HistoryClock.pick(index, 2, salt: Int(stage))
      stageDay = stageDay.adding(seconds: days * 86_400)
      while DemoHistory.isWeekend(stageDay) { stageDay = stageDay.adding(seconds: 86_400) }
      at = stageDay
      guard clock.happened(at.adding(seconds: 3_600 * open.count * 2)) else { return }
      for task in open {
        let login = DemoCentre.tierLogin(task.unitCode)
        let claimedAt = at
        var claim = Civicgrid_V1_TaskRequest()
        claim.caseID = value.id
        claim.task = task.number
        claim.expectedVersion = task.version
        value = try await call.run(as: login, service: "civicgrid.v1.Cases") { [claim] context in
          try await CasesService(store: store, now: { claimedAt }).claimTask(request: claim, context: context)
        }
        let approvedAt = at.adding(seconds: 3_600)
        var approve = Civicgrid_V1_DecideTaskRequest()
        approve.caseID = value.id
        approve.task = task.number
        approve.expectedVersion = value.tasks.first { $0.number == task.number }?.version ?? 0
        approve.opinion = "checked by \(task.unitCode): meets the conditions"
        value = try await call.run(as: login, service: "civicgrid.v1.Cases") { [approve] context in
          try await CasesService(store: store, now: { approvedAt }).approveTask(request: approve, context: context)
        }
        at = at.adding(seconds: 7_200)
      }
    }
    guard value.state == "completed" else { return }
    at = at.adding(seconds: 3_600)
    guard clock.happened(at) else { return }
    var deliver = Civicgrid_V1_DeliverResultRequest()
    deliver.caseID = value.id
    deliver.expectedVersion = value.version
    deliver.method = index % 4 == 0 ? .mail : .pickup
    value = try await call.run(as: "clerk", service: "civicgrid.v1.Cases") { [deliver, at] context in
      try await CasesService(store: store, now: { at }).deliverResult(request: deliver, context: context)
    }
    guard HistoryClock.pick(index, 3, salt: 3) != 0 else { return }
    try await Self.rate(index, caseID: value.id, at: at.adding(seconds: 600), call, clock)
  }

  /// The applicant's rating at completion; a bad one's rectification is reported and visited.
  static func rate(_ index: Int, caseID: String, at: Instant, _ call: DemoCall, _ clock: HistoryClock) async throws {
    let store = call.store
    let bad = HistoryClock.pick(index, 10, salt: 4) == 0
    var rate = Civicgrid_V1_RateCaseRequest()
    rate.caseID = caseID
    rate.moment = .completion
    rate.level = bad ? .dissatisfied : (index % 3 == 0 ? .satisfied : .verySatisfied)
    rate.efficiency = bad ? 2 : 5
    rate.attitude = bad ? 3 : 5
    rate.convenience = bad ? 2 : 4
    rate.comment = bad ? "had to come back twice for the same stamp" : "quick and clear"
    rate.channel = "window"
    let rating = try await call.run(as: "clerk", service: "civicgrid.v1.Evaluation") { [rate] context in
      try await EvaluationService(store: store, now: { at }).rateCase(request: rate, context: context)
    }
    guard !rating.rectificationID.isEmpty else { return }
    let reportedAt = at.adding(seconds: 2 * 86_400)
    guard clock.happened(reportedAt) else { return }
    var report = Civicgrid_V1_ReportRectificationRequest()
    report.rectificationID = rating.rectificationID
    report.expectedVersion = try await Self.version(of: rating.rectificationID, store)
    report.report = "window staff briefed on the stamp; the item's guide now lists it"
    _ = try await call.run(as: "clerk", service: "civicgrid.v1.Evaluation") { [report] context in
      try await EvaluationService(store: store, now: { reportedAt }).reportRectification(request: report, context: context)
    }
    let visitedAt = reportedAt.adding(seconds: 86_400)
    guard clock.happened(visitedAt) else { return }
    var visit = Civicgrid_V1_RecordReturnVisitRequest()
    visit.rectificationID = rating.rectificationID
    visit.expectedVersion = try await Self.version(of: rating.rectificationID, store)
    visit.satisfied = true
    visit.note = "the applicant confirms the guide is clear now"
    // The return visit is made from above the rectified unit: the district's supervisor.
    _ = try await call.run(as: "supervisor", service: "civicgrid.v1.Evaluation") { [visit] context in
      try await EvaluationService(store: store, now: { visitedAt }).recordReturnVisit(request: visit, context: context)
    }
  }

  /// A case's version, read as a caller would before acting on it.
  static func version(of number: String, _ store: StorePool) async throws -> Int64 {
    let id = try CaseNumber.parse(number, field: "case_id")
    return try await store.withConnection { connection in
      guard let record = try await CaseRepository(connection).load([id]).first else { throw DomainError.notFound("case \(number)") }
      return Int64(record.value.version)
    }
  }
}
