import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
import GRPCCore
import Synchronization
import Testing

@testable import CivicServices

/// A time the tests move by hand: the Evaluation service reads it, nothing sleeps.
final class TestClock: Sendable {
  private let current: Mutex<Instant>
  init(_ start: Instant) { self.current = Mutex(start) }
  var now: Instant { self.current.withLock { $0 } }
  func set(_ instant: Instant) { self.current.withLock { $0 = instant } }
}

/// The case fixture (scratch database, units, principals) plus the Evaluation service on an
/// injected clock, and cases written straight from domain values with chosen instants.
struct EvaluationFixture: Sendable {
  let base: CaseFixture
  let clock: TestClock
  let evaluation: EvaluationService
  var pool: StorePool { self.base.pool }

  static let calendar = WorkingCalendar.china2026
  static func at(_ date: String, _ hour: Int = 10, _ minute: Int = 0) -> Instant {
    calendar.instant(CivilDate(date)!, secondsAfterMidnight: hour * 3600 + minute * 60)
  }

  static func with(now: Instant = at("2026-12-05"), _ body: (EvaluationFixture) async throws -> Void) async throws {
    try await CaseFixture.with { base in
      let clock = TestClock(now)
      let fixture = EvaluationFixture(base: base, clock: clock, evaluation: EvaluationService(store: base.pool, now: { clock.now }))
      try await fixture.publishItems()
      try await body(fixture)
    }
  }

  func call<R: Sendable>(_ principal: Principal, _ body: (ServerContext) async throws -> R) async throws -> R {
    try await self.base.call(principal, "civicgrid.v1.Evaluation/test", body)
  }

  // MARK: Cases with chosen instants

  /// `ONE-STEP` (promised, 3 working days, one CIVIL stage) and `AT-WINDOW` (immediate).
  func publishItems() async throws {
    for (code, promised) in [("ONE-STEP", true), ("AT-WINDOW", false)] {
      var definition = Civicgrid_V1_ItemDefinition()
      definition.code = code
      definition.name = code
      definition.category = "test"
      definition.kind = promised ? .promised : .immediate
      definition.leadUnitCode = "CIVIL"
      if promised {
        var stage = Civicgrid_V1_ItemStage()
        stage.unitCodes = ["CIVIL"]
        stage.workingDays = 3
        definition.stages = [stage]
        definition.promisedWorkingDays = 3
      }
      var material = Civicgrid_V1_RequiredMaterial()
      material.code = "id-card"
      material.name = "ID card"
      definition.materials = [material]
      definition.channels = [.window]
      var draft = Civicgrid_V1_SaveDraftRequest()
      draft.definition = definition
      _ = try await self.base.call(self.base.admin) { try await self.base.catalog.saveDraft(request: draft, context: $0) }
      var publish = Civicgrid_V1_ItemVersionRequest()
      publish.code = code
      publish.version = 1
      publish.expectedItemVersion = 1
      _ = try await self.base.call(self.base.admin) { try await self.base.catalog.publishVersion(request: publish, context: $0) }
    }
  }

  enum Decision { case accept, refuse, none }

  /// Writes a case taken in at `unit` at `submitted`, decided at `decided` (accept or refuse),
  /// and for an accepted promised case completed at `completed`; returns its case id.
  @discardableResult
  func seedCase(
    unit: String = "CTR",
    promised: Bool = true,
    submitted: Instant,
    decision: Decision = .accept,
    decided: Instant? = nil,
    completed: Instant? = nil
  ) async throws -> Int64 {
    let item = try await self.pool.withConnection { connection in
      try await CatalogStore.load(promised ? "ONE-STEP" : "AT-WINDOW", on: connection)!.item.version(1)
    }
    let clerk = Party.staff("clerk1", unit: UnitID(unit))
    let handler = Party.staff("h1-CIVIL", unit: "CIVIL")
    let id = try await self.pool.query("SELECT nextval(pg_get_serial_sequence('cases', 'id'))").scalar(Int64.self)!
    var change = try Case.submit(
      id: CaseID(CaseNumber.format(id)),
      policy: .serviceApplication,
      item: item,
      channel: .window,
      applicant: "Wang Fang",
      provided: ["id-card"],
      at: submitted,
      by: clerk
    )
    let decidedAt = decided ?? submitted.adding(seconds: 1800)
    func step(_ command: CaseCommand, _ at: Instant) throws {
      change = change.followed(
        by: try change.case.applying(command, expectedVersion: change.case.version, policy: .serviceApplication, at: at, by: clerk)
      )
    }
    func task(_ command: TaskCommand, _ at: Instant) throws {
      change = change.followed(
        by: try change.case.applying(
          command,
          toTask: 1,
          expectedVersion: change.case.task(1).version,
          policy: .serviceApplication,
          at: at,
          by: handler
        )
      )
    }
    switch decision {
    case .none: break
    case .refuse: try step(.refuse(reason: "not eligible"), decidedAt)
    case .accept:
      try step(.accept, decidedAt)
      if promised {
        try step(.dispatch, decidedAt)
        if let completed {
          try task(.claim, decidedAt.adding(seconds: 60))
          try task(.approve(opinion: "ok"), completed)
        }
      } else {
        try step(.completeAtWindow(opinion: "done"), completed ?? decidedAt)
      }
    }
    let unitPath = self.base.units[unit]!.path
    try await self.pool.transaction { connection in
      try await CaseRepository(connection).insert(
        NewCase(id: id, change: change, unitID: self.base.units[unit]!.id, unitPath: unitPath, jurisdiction: "CN", at: submitted),
        calendar: Self.calendar
      )
    }
    return id
  }

  /// A raw case event (urge, order, criticism) as docs/METRICS.md reads them until the supervision tables exist.
  /// A supervision order (migration 0006) on `unit`: an order case whose one reply task is
  /// the unit's, issued at `issued` and replied (approved) at `replied`, with its level.
  func seedOrder(unit: String = "CTR", level: String, issued: Instant, replied: Instant) async throws -> Int64 {
    let id = try await self.seedCase(submitted: issued, completed: replied)
    // The reply task becomes the unit's in the snapshot's JSON form, which readers take as
    // they take rows written before migration 0018.
    let bytes = try #require(try await self.pool.query("SELECT snapshot_bytes FROM cases WHERE id = \(id)").scalar(SQLBytes.self))
    let json = String(decoding: try JSONEncoder().encode(try Case(storedBytes: bytes.bytes)), as: UTF8.self)
    try await self.pool.query(
      """
      UPDATE cases SET kind = 'supervisionOrder', snapshot_bytes = NULL,
        snapshot = jsonb_set(\(json)::jsonb, '{tasks,0,unit}', to_jsonb(\(unit)::text))
      WHERE id = \(id)
      """
    )
    try await self.pool.query(
      """
      INSERT INTO supervision_orders (case_id, level, issued_level, title, requirement, reply_working_days, issued_by, issued_at)
      VALUES ($1, $2, $2, 'order', 'reply', 3, 'sup@D01', to_timestamp($3::bigint))
      """,
      [id, level, issued.secondsSinceEpoch]
    )
    return id
  }

  /// An urge (催办) the sweeper sent to `unit` about a case.
  func seedUrge(case id: Int64, unit: String = "CTR", at: Instant) async throws {
    let target = self.base.units[unit]!
    try await self.pool.query(
      """
      INSERT INTO supervision_alerts (kind, case_id, unit_id, unit_path, summary, at)
      VALUES ('urge', $1, $2, $3, 'urged', to_timestamp($4::bigint))
      """,
      [id, target.id, target.path, at.secondsSinceEpoch]
    )
  }

  /// A public criticism (通报批评) of `unit` citing a case.
  func seedCriticism(case id: Int64, unit: String = "CTR", at: Instant) async throws {
    try await self.pool.query(
      """
      INSERT INTO supervision_notices (kind, unit_id, period, title, body, case_ids, published_by, published_at)
      VALUES ('criticism', $1, '2026-11', 'late', 'late', ARRAY[$2::bigint], 'sup@D01', to_timestamp($3::bigint))
      """,
      [self.base.units[unit]!.id, id, at.secondsSinceEpoch]
    )
  }

  // MARK: Calls

  func rate(_ caseID: Int64, _ moment: Civicgrid_V1_RatingMoment, _ level: Civicgrid_V1_RatingLevel, at: Instant, comment: String = "bad")
    async throws -> Civicgrid_V1_RatingRecord
  {
    self.clock.set(at)
    var request = Civicgrid_V1_RateCaseRequest()
    request.caseID = CaseNumber.format(caseID)
    request.moment = moment
    request.level = level
    request.comment = comment
    request.channel = "window"
    return try await self.call(self.base.clerk) { try await self.evaluation.rateCase(request: request, context: $0) }
  }

  func metrics(_ principal: Principal, unit: String, period: String, subtree: Bool = false, drill: String = "")
    async throws -> [String: Civicgrid_V1_IndicatorFigure]
  {
    try await self.metricsMessage(principal, unit: unit, period: period, subtree: subtree, drill: drill).figures
      .reduce(into: [:]) { $0[$1.indicator] = $1 }
  }

  func metricsMessage(_ principal: Principal, unit: String, period: String, subtree: Bool = false, drill: String = "")
    async throws -> Civicgrid_V1_Metrics
  {
    var request = Civicgrid_V1_GetMetricsRequest()
    request.unitCode = unit
    request.period = period
    request.subtree = subtree
    request.drill = drill
    return try await self.call(principal) { try await self.evaluation.getMetrics(request: request, context: $0) }
  }
}
