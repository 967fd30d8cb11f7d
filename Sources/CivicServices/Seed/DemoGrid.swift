import CivicDomain
import CivicProtos
import CivicRepositories
public import CivicStore
import Foundation
import GRPCCore

/// The demo district's grid work (docs/GRID.md), loaded by `civicgridd seed-demo --grid`
/// (ops/demo-grid): the event routing table (version 1, when there is none), a grid worker
/// with an account, a published card (网格服务公示) and a training record on every grid, and
/// a fortnight of field events across categories and outcomes — handled on the spot, routed
/// and handled in time, routed and now overdue, urgent, forwarded to the Requests intake, sent
/// to the street's check — made through the FieldEvents service on a clock set back, so they
/// carry the timelines, alerts and audit rows real ones do. What exists is left as it is.
public enum DemoGrid {
  static let table = EventRoutingTable(
    routes: [
      .init(category: .safetyHazard, tier: .street, workingDays: 3, urgentHours: 2, checkOneIn: 5),
      .init(category: .publicSecurity, tier: .district, department: "QH-PS", workingDays: 2, urgentHours: 1),
      .init(category: .drugControl, tier: .district, department: "QH-PS", workingDays: 5, urgentHours: 2),
      .init(category: .urbanManagement, tier: .district, department: "QH-HUD", workingDays: 4, urgentHours: 4),
      .init(category: .ethnicReligious, tier: .street, workingDays: 5, urgentHours: 4),
      .init(category: .peopleInDifficulty, tier: .district, department: "QH-CA", workingDays: 2, urgentHours: 2),
      .init(category: .environment, tier: .district, department: "QH-HC", workingDays: 3, urgentHours: 4, checkOneIn: 3),
      .init(category: .facilities, tier: .community, workingDays: 4, urgentHours: 4, checkOneIn: 4),
      .init(category: .disputeLead, tier: .district, workingDays: 0, urgentHours: 0, requestCategory: "neighbourhood-noise"),
      .init(category: .other, tier: .street, workingDays: 5, urgentHours: 8),
      .init(category: .citizenRequest, tier: .district, workingDays: 0, urgentHours: 0, requestCategory: "property-repairs"),
    ],
    acknowledgeMinutes: 15
  )

  static let workerNames = [
    "Han Mei", "Zhao Lei", "Qian Li", "Sun Hao", "Li Jie", "Zhou Yan", "Wu Bin", "Zheng Xia", "Wang Qiang", "Feng Yu", "Chen Ling",
    "Chu Kai", "Wei Na", "Jiang Tao", "Shen Hui", "Han Bo", "Yang Xue", "Zhu Feng", "Qin Yue", "You Lan", "Xu Dong", "He Ping",
    "Lü Jing", "Shi Lei", "Zhang Rui", "Kong Wen", "Cao Ying",
  ]

  /// The login of grid `code`'s worker: the demo's `gridworker` on QH-S1-C1-G1, `gw-<code>` elsewhere.
  public static func workerLogin(_ code: String) -> String { code == "QH-S1-C1-G1" ? "gridworker" : "gw-\(code.lowercased())" }

  /// Loads what is missing; answers a one-line summary.
  public static func seed(_ store: StorePool) async throws -> String {
    try await Self.seed(store, now: .now)
  }

  /// The same, the fortnight of events ending at `now`.
  static func seed(_ store: StorePool, now: Instant) async throws -> String {
    let routing = try await Self.seedRouting(store)
    let workers = try await Self.seedGrids(store)
    let events = try await Self.seedEvents(store, now: now)
    return "grids: event routing \(routing) versions, \(workers) grid workers with cards and training, \(events) field events added"
  }

  static func seedRouting(_ store: StorePool) async throws -> Int {
    try await store.transaction { connection in
      let tables = EventRoutingRepository(connection)
      guard try await tables.live(hold: .update) == nil else { return 0 }
      try Self.table.validate()
      try await tables.publish(Self.table, version: 1, by: DemoDistrict.method)
      try await AuditLog.append(
        on: connection,
        command: DemoDistrict.method,
        object: "event-routing/1",
        summary: "published event routing version 1 (\(Self.table.routes.count) categories)"
      )
      return 1
    }
  }

  /// A worker account, a published profile and a training record for every grid without a profile.
  static func seedGrids(_ store: StorePool) async throws -> Int {
    let grids = DemoDistrict.units.filter { $0.kind == .grid }
    return try await store.transaction { connection in
      var added = 0
      for (index, grid) in grids.enumerated() {
        let profiles = GridRepository(connection)
        guard try await profiles.profile(code: grid.code) == nil,
          let unit = try await UnitRepository(connection).unit(code: grid.code)
        else { continue }
        let login = Self.workerLogin(grid.code)
        let name = Self.workerNames[index % Self.workerNames.count]
        _ = try await DemoDistrict.addAccount(login, name: "Grid Worker \(name)", unit: grid.code, roles: [.gridWorker], on: connection)
        let street = grid.name.replacingOccurrences(of: " Grid ", with: " Road, block ")
        let staff = [
          try GridStaff(
            login: login, name: name, role: .worker, phone: String(format: "1380010%04d", index + 1),
            photoURI: "https://photos.qinghe.example/grid/\(grid.code.lowercased()).jpg", dutyHours: "Mon–Fri 08:30–17:30, Sat 09:00–12:00",
            published: true, field: "staff[0]"
          ),
          try GridStaff(
            login: "", name: "Volunteer \(Self.workerNames[(index + 9) % Self.workerNames.count])", role: .volunteer,
            phone: String(format: "1390010%04d", index + 1), photoURI: "", dutyHours: "Weekends", published: true, field: "staff[1]"
          ),
        ]
        try await profiles.save(
          unitID: unit.id, boundary: "\(street) 1–40 and the courtyards behind them", households: 300 + 17 * index,
          prefixes: [street], staff: staff, version: 1, by: DemoDistrict.method
        )
        try await AuditLog.append(on: connection, command: DemoDistrict.method, object: "grid/\(grid.code)", summary: "profile version 1: \(name) (worker)")
        let day = CivilDate(year: 2026, month: 3, day: 2 + index % 20)!
        _ = try await profiles.recordTraining(
          login: login, unitID: unit.id, course: "Grid work basics (网格员岗前培训)", date: day, hours: 8, by: DemoDistrict.method
        )
        added += 1
      }
      return added
    }
  }

  /// One demo event: where, what, and how far it goes.
  struct Spec {
    enum Outcome { case reported, routed, handledByUnit, onTheSpot, closed }
    var grid: String
    var category: Civicgrid_V1_FieldEventCategory
    var urgent = false
    var daysAgo: Int
    var location: String
    var description: String
    var outcome: Outcome
  }

  static let events: [Spec] = [
    Spec(grid: "QH-S1-C1-G1", category: .safetyHazard, urgent: true, daysAgo: 9, location: "Heping Road 7, stairwell 3",
      description: "Smell of gas in the stairwell; residents evacuated the third floor", outcome: .routed),
    Spec(grid: "QH-S1-C1-G1", category: .environment, daysAgo: 8, location: "Heping Road 12, bin station",
      description: "Bins overflowing after the holiday", outcome: .closed),
    Spec(grid: "QH-S1-C1-G1", category: .peopleInDifficulty, daysAgo: 8, location: "Heping Road 20, flat 502",
      description: "Elderly resident living alone, heating broken", outcome: .closed),
    Spec(grid: "QH-S1-C1-G2", category: .urbanManagement, daysAgo: 12, location: "Heping Road 31, pavement",
      description: "Market stalls blocking the pavement every morning", outcome: .routed),
    Spec(grid: "QH-S1-C1-G3", category: .facilities, daysAgo: 2, location: "Heping Road 44, playground",
      description: "Broken swing chain in the children's playground", outcome: .routed),
    Spec(grid: "QH-S1-C2-G1", category: .publicSecurity, daysAgo: 7, location: "Wenhua Road 3, bicycle shed",
      description: "Bicycle thefts three nights in a row", outcome: .routed),
    Spec(grid: "QH-S1-C2-G2", category: .citizenRequest, daysAgo: 6, location: "Wenhua Road 18, building 2",
      description: "Residents ask for the lift to be repaired", outcome: .routed),
    Spec(grid: "QH-S2-C1-G1", category: .drugControl, urgent: true, daysAgo: 1, location: "Jinqiao Road 5, rented flat",
      description: "Suspected drug use reported by neighbours", outcome: .routed),
    Spec(grid: "QH-S2-C1-G1", category: .disputeLead, daysAgo: 4, location: "Jinqiao Road 9",
      description: "Neighbours quarrelling over a workshop's night-time noise", outcome: .routed),
    Spec(grid: "QH-T1-C1-G1", category: .other, daysAgo: 1, location: "Liushu Village east gate",
      description: "Stray dogs gathering at the village gate", outcome: .reported),
    Spec(grid: "QH-S1-C1-G1", category: .environment, daysAgo: 5, location: "Heping Road 14, back lane",
      description: "Construction waste dumped in the lane", outcome: .onTheSpot),
    Spec(grid: "QH-S1-C1-G1", category: .environment, daysAgo: 3, location: "Heping Road 16, green belt",
      description: "Dead branches across the footpath", outcome: .onTheSpot),
    Spec(grid: "QH-S2-C2-G1", category: .peopleInDifficulty, daysAgo: 10, location: "Yuanlin Road 8, flat 101",
      description: "Disabled resident needs help applying for the living allowance", outcome: .handledByUnit),
  ]

  /// The fortnight of events, once: only when no field event exists yet.
  static func seedEvents(_ store: StorePool, now: Instant) async throws -> Int {
    let existing = try await store.withConnection { connection in
      let root = try await UnitRepository(connection).unit(code: DemoDistrict.rootCode)?.path ?? "/"
      return try await GridRepository(connection).eventFacts(under: root, from: Instant(secondsSinceEpoch: 0), to: now.adding(seconds: 86_400))
    }
    guard existing.isEmpty else { return 0 }
    let handler = try await Self.principal("handler", store)
    for (index, spec) in Self.events.enumerated() {
      let worker = try await Self.principal(Self.workerLogin(spec.grid), store)
      // Reported at 09:00 Beijing time `daysAgo` days back; each later step an hour after the one before.
      var at = Instant(secondsSinceEpoch: (now.secondsSinceEpoch / 86_400 - spec.daysAgo) * 86_400 + 3_600)
      func next() -> Instant {
        at = at.adding(seconds: 3_600)
        return at
      }
      var report = Civicgrid_V1_ReportEventRequest()
      report.category = spec.category
      report.urgent = spec.urgent
      report.location = spec.location
      report.description_p = spec.description
      report.idempotencyKey = "seed-demo/event/\(index)"
      var event = try await Self.call(worker, store, at: at) { [report] service, _ in try await service.report(report, by: worker) }
      // Environment events are the grid's to clear on the spot; the others go by the table.
      let onTheSpot = spec.outcome == .onTheSpot || (spec.outcome == .closed && spec.category == .environment)
      if onTheSpot {
        event = try await Self.handle(event, as: worker, store, at: next(), evidence: "Cleared on the spot; photos before and after")
      } else if spec.outcome != .reported {
        if event.case.state == "reported" {  // an urgent event was routed when reported
          let (id, version) = (event.id, event.case.version)
          event = try await Self.call(worker, store, at: next()) { service, context in
            var route = Civicgrid_V1_RouteEventRequest()
            route.eventID = id
            route.expectedVersion = version
            return try await service.routeEvent(request: route, context: context)
          }
        }
        if spec.outcome == .handledByUnit || spec.outcome == .closed {
          event = try await Self.handle(event, as: handler, store, at: next(), evidence: "Visited the same day; assistance arranged")
        }
      }
      if spec.outcome == .closed, event.case.state == "handled" {
        let (id, version) = (event.id, event.case.version)
        _ = try await Self.call(worker, store, at: next()) { service, context in
          var close = Civicgrid_V1_CloseEventRequest()
          close.eventID = id
          close.expectedVersion = version
          close.note = "Checked again the next morning"
          return try await service.closeEvent(request: close, context: context)
        }
      }
    }
    return Self.events.count
  }

  static func handle(_ event: Civicgrid_V1_FieldEvent, as principal: Principal, _ store: StorePool, at: Instant, evidence: String)
    async throws -> Civicgrid_V1_FieldEvent
  {
    let (id, version) = (event.id, event.case.version)
    return try await Self.call(principal, store, at: at) { service, context in
      var handle = Civicgrid_V1_HandleEventRequest()
      handle.eventID = id
      handle.expectedVersion = version
      handle.evidence = evidence
      return try await service.handleEvent(request: handle, context: context)
    }
  }

  static func principal(_ login: String, _ store: StorePool) async throws -> Principal {
    try await store.withConnection { connection in
      guard let account = try await AccountRepository(connection).account(login: login),
        let unit = try await UnitRepository(connection).unit(code: account.unitCode)
      else { throw DomainError.notFound("demo account \(login)") }
      return Principal(
        accountID: account.id, login: login, unitID: unit.id, unitCode: unit.code, unitPath: unit.path,
        roles: Set(account.roles.compactMap(Role.init(rawValue:)))
      )
    }
  }

  /// Runs `body` as `principal` with the service's clock at `at`, as an RPC would.
  static func call<R: Sendable>(
    _ principal: Principal,
    _ store: StorePool,
    at: Instant,
    _ body: @escaping @Sendable (FieldEventsService, ServerContext) async throws -> R
  ) async throws -> R {
    let service = FieldEventsService(store: store, now: { at })
    return try await DemoCall.run(as: principal, service: "civicgrid.v1.FieldEvents") { context in try await body(service, context) }
  }
}
