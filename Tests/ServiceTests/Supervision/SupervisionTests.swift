import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import SwiftProtobuf
import Synchronization
import Testing

/// Supervision against a scratch PostgreSQL database (docs/SUPERVISION.md). Time is scripted:
/// the sweeper and the supervision commands read a `ScriptedClock` the tests advance.
@Suite("Supervision", .serialized, .timeLimit(.minutes(5)))
struct SupervisionTests {
  /// (task, level, previous level) of every warning alert of a case, in feed order.
  static func warnings(_ f: CaseFixture, case id: String) async throws -> [(Int, String, String)] {
    try await f.pool.query(
      "SELECT task, level, previous_level FROM supervision_alerts WHERE kind = 'warning' AND case_id = $1 ORDER BY seq",
      [Int64(id.dropFirst())!]
    ).rows.map { (try $0.decode(Int.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2)) }
  }

  @Test("warning transitions over a scripted calendar: each change recorded once, in order; urges and proposals once; incremental")
  func transitions() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let accepted = try await f.submitAndAccept()
      let clock = ScriptedClock()
      let sweeper = WarningSweeper(store: f.pool, logger: CaseFixture.logger, now: clock.reader)
      #expect(try await sweeper.sweep().casesExamined == 1, "a new case is due at once")
      #expect(try await sweeper.sweep().casesExamined == 0, "then not again until its next change")
      var examined = 0
      for _ in 0..<(24 * 20) {
        clock.advance(seconds: 3600)
        examined += try await sweeper.sweep().casesExamined
      }
      // One look per level boundary of the three clocks at most, not one per pass.
      #expect(examined <= 9)
      let alerts = try await Self.warnings(f, case: accepted.id)
      for task in [0, 1, 2] {
        let chain = alerts.filter { $0.0 == task }
        #expect(chain.map(\.1) == ["yellow", "red", "overdue"], "clock \(task)")
        #expect(chain.map(\.2) == ["green", "yellow", "red"], "clock \(task)")
      }
      let counts = try await f.pool.query(
        "SELECT kind, count(*) FROM supervision_alerts WHERE case_id = $1 GROUP BY kind ORDER BY kind", [Int64(accepted.id.dropFirst())!]
      ).rows.map { "\(try $0.decode(String.self, at: 0))=\(try $0.decode(Int.self, at: 1))" }
      #expect(counts == ["orderProposed=3", "urge=3", "warning=9"])
      #expect(try await f.pool.query("SELECT count(*) FROM supervision_order_proposals").scalar(Int.self) == 3)
      let again = try await sweeper.sweep()
      #expect(again.changes == 0)
      let stored = try await f.pool.query("SELECT level, next_at IS NULL, task_levels FROM case_warnings").rows
      #expect(try stored[0].decode(String.self, at: 0) == "overdue")
      #expect(try stored[0].decode(Bool.self, at: 1), "overdue everywhere: nothing left to index")
      #expect(try stored[0].decode(String.self, at: 2) == "1=overdue,2=overdue", "the open tasks' levels, on the warning row")
    }
  }

  @Test("clocks stored before tasks carried their unit (format 1): the sweep reads the open tasks' units from their rows and alerts as for format 2")
  func formatOneClocks() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let old = try await f.submitAndAccept()
      let new = try await f.submitAndAccept()
      let oldID = Int64(old.id.dropFirst())!
      // The old case's warning row gets its clocks as migration 0012 wrote them: no task units.
      let clocks = try Case(storedBytes: try #require(try await f.pool.query("SELECT snapshot_bytes FROM cases WHERE id = \(oldID)").scalar(SQLBytes.self)).bytes)
      let json = String(decoding: try JSONEncoder().encode(CaseClocks(clocks)), as: UTF8.self)
      try await f.pool.transaction { connection in
        try await connection.execute(
          """
          CREATE FUNCTION pg_temp.clocks_format_1(snapshot jsonb) RETURNS bytea LANGUAGE plpgsql AS $$
          BEGIN
            RETURN '\\x01'::bytea
              || int4send((snapshot->'warningPolicy'->>'remainingWorkingDays')::integer)
              || int4send((snapshot->'warningPolicy'->>'remainingPercent')::integer)
              || CASE WHEN snapshot->'clock' IS NULL OR snapshot->'clock' = 'null'::jsonb THEN '\\x00'::bytea
                 ELSE '\\x01'::bytea || case_bytes_clock(snapshot->'clock') END
              || case_bytes_list(ARRAY(
                SELECT int4send((t->>'number')::integer) || case_bytes_text(t->>'state') || case_bytes_clock(t->'clock')
                FROM jsonb_array_elements(coalesce(snapshot->'tasks', '[]')) WITH ORDINALITY AS x(t, n) ORDER BY n));
          END
          $$
          """
        )
        try await connection.execute("UPDATE case_warnings SET clocks = pg_temp.clocks_format_1(\(json)::jsonb) WHERE case_id = \(oldID)")
      }
      let format = try await f.pool.query("SELECT get_byte(clocks, 0) FROM case_warnings WHERE case_id = \(oldID)").scalar(Int.self)
      #expect(format == 1)
      let stored = try CaseClocks(bytes: try #require(try await f.pool.query("SELECT clocks FROM case_warnings WHERE case_id = \(oldID)").scalar(SQLBytes.self)).bytes)
      #expect(stored.tasks.count == 2 && stored.tasks.allSatisfy { $0.unit == nil })

      let clock = ScriptedClock()
      let sweeper = WarningSweeper(store: f.pool, logger: CaseFixture.logger, now: clock.reader)
      try await sweeper.sweep()
      clock.advance(seconds: 20 * 86_400)
      let pass = try await sweeper.sweep()
      #expect(pass.casesExamined == 2 && pass.changes == 18, "\(pass)")
      // The same alerts, to the same units, for both cases.
      func alerts(_ id: String) async throws -> [String] {
        try await f.pool.query(
          "SELECT a.kind || ' ' || a.task || ' ' || u.code || ' ' || coalesce(a.level, '') FROM supervision_alerts a JOIN units u ON u.id = a.unit_id WHERE a.case_id = $1 ORDER BY a.seq",
          [Int64(id.dropFirst())!]
        ).rows.map { try $0.decode(String.self, at: 0) }
      }
      let oldAlerts = try await alerts(old.id)
      let newAlerts = try await alerts(new.id)
      #expect(oldAlerts.count == 15 && oldAlerts == newAlerts, "\(oldAlerts) \(newAlerts)")
      #expect(Set(oldAlerts.filter { $0.hasPrefix("warning 1 ") || $0.hasPrefix("warning 2 ") }.map { $0.split(separator: " ")[2] }) == Set(old.tasks.map { Substring($0.unitCode) }))
    }
  }

  @Test("an open case's warning row carries its kind, jurisdiction, unit and clocks, and follows every write of them")
  func warningRowCopiesTheCase() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let accepted = try await f.submitAndAccept()
      let id = Int64(accepted.id.dropFirst())!
      let same: SQLQuery = """
        SELECT count(*) FROM case_warnings w JOIN cases c ON c.id = w.case_id
        WHERE w.case_id = \(id) AND w.kind = c.kind AND w.jurisdiction = c.jurisdiction AND w.unit_id = c.unit_id
          AND w.clocks = c.clocks AND length(c.clocks) > 0
        """
      #expect(try await f.pool.query(same).scalar(Int.self) == 1, "as the engine wrote the case")
      let other = f.units["HR"]!.id
      try await f.pool.query("UPDATE cases SET unit_id = \(other), clocks = clocks || '\\x00'::bytea WHERE id = \(id)")
      #expect(try await f.pool.query(same).scalar(Int.self) == 1, "after a write of the unit and clocks")
      #expect(try await f.pool.query("SELECT unit_id FROM case_warnings WHERE case_id = \(id)").scalar(Int64.self) == other)
    }
  }

  @Test("a case row a transition holds does not stop the sweep: its clocks' changes are recorded all the same")
  func sweepsPastHeldCase() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let accepted = try await f.submitAndAccept()
      let id = Int64(accepted.id.dropFirst())!
      let clock = ScriptedClock()
      let sweeper = WarningSweeper(store: f.pool, logger: CaseFixture.logger, now: clock.reader)
      try await sweeper.sweep()
      clock.advance(seconds: 20 * 86_400)
      let pass = try await f.pool.transaction { held in
        try await held.query("SELECT id FROM cases WHERE id = \(id) FOR UPDATE")
        return try await sweeper.sweep()
      }
      #expect(pass.casesExamined == 1 && pass.changes == 9, "three clocks, each green → yellow → red → overdue: \(pass)")
      #expect(try await Self.warnings(f, case: accepted.id).count == 9)
    }
  }

  @Test("a calendar change makes every open case of the jurisdiction due again; a closed case leaves the sweeper's table")
  func calendarChangeMakesCasesDue() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let accepted = try await f.submitAndAccept()
      let id = Int64(accepted.id.dropFirst())!
      let sweeper = WarningSweeper(store: f.pool, logger: CaseFixture.logger, now: ScriptedClock().reader)
      try await sweeper.sweep()
      #expect(try await sweeper.sweep().casesExamined == 0)
      let current = try await f.call(f.admin) { try await f.calendar.getCalendar(request: .init(), context: $0) }
      var holiday = Civicgrid_V1_SetDayRequest()
      holiday.day.date = "2030-01-02"
      holiday.day.kind = .holiday
      holiday.day.name = "test holiday"
      holiday.expectedVersion = current.version
      _ = try await f.call(f.admin) { try await f.calendar.setDay(request: holiday, context: $0) }
      #expect(try await sweeper.sweep().casesExamined == 1, "due again after the calendar changed")

      try await f.pool.query("UPDATE cases SET is_open = false WHERE id = $1", [id])
      #expect(try await f.pool.query("SELECT count(*) FROM case_warnings WHERE case_id = $1", [id]).scalar(Int.self) == 0)
    }
  }

  @Test("three sweepers on their own pools over one database: no duplicate warning, none missed")
  func threeSweepers() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      var ids: [String] = []
      for _ in 0..<12 { ids.append(try await f.submitAndAccept().id) }
      let clock = ScriptedClock()
      let pools = (0..<3).map { _ in StorePool(configuration: f.pool.configuration, logger: CaseFixture.logger) }
      let sweepers = pools.map {
        WarningSweeper(store: $0, configuration: .init(batchSize: 2, interval: .seconds(1)), logger: CaseFixture.logger, now: clock.reader)
      }
      var examined = 0
      for _ in 0..<(24 * 20) {
        clock.advance(seconds: 3600)
        examined += try await withThrowingTaskGroup(of: Int.self) { group in
          for sweeper in sweepers { group.addTask { try await sweeper.sweep().casesExamined } }
          return try await group.reduce(0, +)
        }
      }
      for pool in pools { await pool.close() }
      let duplicates = try await f.pool.query(
        "SELECT count(*) FROM (SELECT 1 FROM supervision_alerts WHERE kind = 'warning' GROUP BY case_id, task, level HAVING count(*) > 1) d"
      ).scalar(Int.self)
      #expect(duplicates == 0)
      for id in ids {
        let alerts = try await Self.warnings(f, case: id)
        for task in [0, 1, 2] {
          #expect(alerts.filter { $0.0 == task }.map(\.1) == ["yellow", "red", "overdue"], "\(id) clock \(task)")
        }
      }
      #expect(try await f.pool.query("SELECT count(*) FROM supervision_alerts WHERE kind = 'urge'").scalar(Int.self) == 36)
      #expect(try await f.pool.query("SELECT count(*) FROM supervision_order_proposals").scalar(Int.self) == 36)
      // The work was shared, not done three times.
      #expect(examined <= 12 * 9 + 12)
    }
  }

  @Test("a subscriber that disconnects at random points while alerts are written misses and duplicates none")
  func alertResume() async throws {
    try await CaseFixture.with { f in
      let clock = ScriptedClock()
      let supervision = SupervisionService(store: f.pool, now: clock.reader)
      let done = Latch()
      async let production: Void = withThrowingTaskGroup(of: Void.self) { group in
        for unit in ["CIVIL", "HR", "FIN", "CTR2"] {
          group.addTask {
            for n in 0..<10 {
              var notice = Civicgrid_V1_PublishNoticeRequest()
              notice.kind = n % 2 == 0 ? .commendation : .criticism
              notice.unitCode = unit
              notice.period = "2026-Q4"
              notice.title = "notice \(n) for \(unit)"
              notice.body = "body"
              _ = try await f.call(f.supervisor) { try await supervision.publishNotice(request: notice, context: $0) }
            }
          }
        }
        try await group.waitForAll()
        done.set()
      }
      var seen: [Int64] = []
      var after: Int64 = 0
      var rounds = 0
      while true {
        // Bounded: producers that stopped (or a feed that stopped delivering) fail the test
        // instead of watching forever; 40 alerts need far fewer rounds.
        rounds += 1
        try #require(rounds <= 200, "the alert feed made no end after \(rounds - 1) watches; seen \(seen.count)")
        // Once the producers are done, a watch that stays quiet has seen everything.
        let finished = done.isSet
        let writer = AlertWriterProbe(budget: Int.random(in: 1...6))
        var request = Civicgrid_V1_WatchAlertsRequest()
        request.after = after
        // Hang up after the budget, or after a quiet moment.
        await withTaskGroup(of: Void.self) { [request] group in
          group.addTask {
            _ = await rpcCode {
              try await f.call(f.supervisor) { try await supervision.watchAlerts(request: request, response: RPCWriter(wrapping: writer), context: $0) }
            }
          }
          group.addTask { try? await Task.sleep(for: .milliseconds(1500)) }
          await group.next()
          group.cancelAll()
        }
        let got = writer.received
        seen += got
        after = got.last ?? after
        if finished, got.isEmpty { break }
      }
      try await production
      let expected = try await f.pool.query("SELECT seq FROM supervision_alerts ORDER BY seq").rows.map { try $0.decode(Int64.self, at: 0) }
      #expect(expected.count == 40)
      #expect(seen == expected)
    }
  }

  @Test("order lifecycle: acknowledge, escalate when overdue to listed then one level up, rejected reply escalates, verified closes")
  func orderLifecycle() async throws {
    try await CaseFixture.with { f in
      let clock = ScriptedClock()
      let s = SupervisionService(store: f.pool, now: clock.reader)
      var issue = Civicgrid_V1_IssueOrderRequest()
      issue.title = "Backlog of allowance applications"
      issue.requirement = "Clear the backlog and report"
      issue.unitCode = "CTR2"
      issue.replyWorkingDays = 2
      var order = try await f.call(f.supervisor) { try await s.issueOrder(request: issue, context: $0) }
      #expect(order.state == "issued" && order.level == .ordinary && order.unitCode == "CTR2" && order.kind == "supervisionOrder")

      var ack = Civicgrid_V1_OrderRequest()
      ack.orderID = order.id
      ack.expectedVersion = order.version
      let stranger = await rpcCode { _ = try await f.call(f.handler("HR")) { try await s.acknowledgeOrder(request: ack, context: $0) } }
      #expect(stranger?.0 == .notFound)
      order = try await f.call(f.handler("CTR2")) { try await s.acknowledgeOrder(request: ack, context: $0) }
      #expect(order.state == "acknowledged")

      var escalate = Civicgrid_V1_EscalateOrderRequest()
      escalate.orderID = order.id
      escalate.expectedVersion = order.version
      escalate.reason = "no reply"
      let early = await rpcCode { _ = try await f.call(f.supervisor) { try await s.escalateOrder(request: escalate, context: $0) } }
      #expect(early?.0 == .failedPrecondition)
      #expect(early?.1.contains("not overdue") == true)

      // Past the reply deadline: ordinary → listed at the same unit, with a fresh limit.
      clock.set(Instant(secondsSinceEpoch: Int(order.replyDue.seconds)).adding(seconds: 3600))
      order = try await f.call(f.supervisor) { try await s.escalateOrder(request: escalate, context: $0) }
      #expect(order.state == "issued" && order.level == .listed && order.unitCode == "CTR2" && order.escalations == 1)

      // Unanswered again: listed → the unit one level up (S01).
      clock.set(Instant(secondsSinceEpoch: Int(order.replyDue.seconds)).adding(seconds: 3600))
      escalate.expectedVersion = order.version
      order = try await f.call(f.supervisor) { try await s.escalateOrder(request: escalate, context: $0) }
      #expect(order.level == .listed && order.unitCode == "S01" && order.escalations == 2)

      // S01 replies; the supervisor rejects the reply: it escalates to D01.
      ack.expectedVersion = order.version
      order = try await f.call(f.handler("S01")) { try await s.acknowledgeOrder(request: ack, context: $0) }
      var reply = Civicgrid_V1_ReplyOrderRequest()
      reply.orderID = order.id
      reply.expectedVersion = order.version
      reply.reply = "Done"
      order = try await f.call(f.handler("S01")) { try await s.replyOrder(request: reply, context: $0) }
      #expect(order.state == "replied" && order.reply == "Done")
      var verify = Civicgrid_V1_VerifyOrderRequest()
      verify.orderID = order.id
      verify.expectedVersion = order.version
      verify.accepted = false
      let noNote = await rpcCode { _ = try await f.call(f.supervisor) { try await s.verifyOrder(request: verify, context: $0) } }
      #expect(noNote?.0 == .invalidArgument && noNote?.1.hasPrefix("note") == true)
      verify.note = "no evidence attached"
      order = try await f.call(f.supervisor) { try await s.verifyOrder(request: verify, context: $0) }
      #expect(order.state == "issued" && order.unitCode == "D01" && order.escalations == 3)

      // D01 replies; accepted: closed.
      ack.expectedVersion = order.version
      order = try await f.call(f.handler("D01")) { try await s.acknowledgeOrder(request: ack, context: $0) }
      reply.expectedVersion = order.version
      reply.reply = "Backlog cleared, evidence attached"
      order = try await f.call(f.handler("D01")) { try await s.replyOrder(request: reply, context: $0) }
      verify.expectedVersion = order.version
      verify.accepted = true
      order = try await f.call(f.supervisor) { try await s.verifyOrder(request: verify, context: $0) }
      #expect(order.state == "closed")

      // Nothing more is legal; the error names the state.
      escalate.expectedVersion = order.version
      let closed = await rpcCode { _ = try await f.call(f.supervisor) { try await s.escalateOrder(request: escalate, context: $0) } }
      #expect(closed?.0 == .failedPrecondition)
      #expect(closed?.1.contains("closed") == true)
      verify.expectedVersion = order.version
      let again = await rpcCode { _ = try await f.call(f.supervisor) { try await s.verifyOrder(request: verify, context: $0) } }
      #expect(again?.0 == .failedPrecondition && again?.1.contains("is closed") == true)

      // Listed, the order is in the list filtered by level; each step wrote one order alert.
      var list = Civicgrid_V1_ListOrdersRequest()
      list.level = .listed
      let listed = try await f.call(f.supervisor) { try await s.listOrders(request: list, context: $0) }
      #expect(listed.orders.map(\.id) == [order.id])
      let steps = try await f.pool.query("SELECT count(*) FROM supervision_alerts WHERE kind = 'order'").scalar(Int.self)
      #expect(steps == 1 + 1 + 2 + 2 + 1 + 3)
      let open = try await f.pool.query("SELECT is_open FROM cases WHERE id = $1", [Int64(order.id.dropFirst())!]).scalar(Bool.self)
      #expect(open == false)
    }
  }

  @Test("orders on a case and its task; the proposal the sweeper made is taken up")
  func orderOnOverdueTask() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let accepted = try await f.submitAndAccept()
      let clock = ScriptedClock()
      let sweeper = WarningSweeper(store: f.pool, logger: CaseFixture.logger, now: clock.reader)
      clock.advance(seconds: 20 * 86_400)
      try await sweeper.sweep()
      let s = SupervisionService(store: f.pool, now: clock.reader)
      var issue = Civicgrid_V1_IssueOrderRequest()
      issue.title = "Overdue task"
      issue.requirement = "Finish it"
      issue.subjectCaseID = accepted.id
      issue.subjectTask = 2
      issue.replyWorkingDays = 1
      let order = try await f.call(f.supervisor) { try await s.issueOrder(request: issue, context: $0) }
      #expect(order.unitCode == "HR" && order.subjectCaseID == accepted.id && order.subjectTask == 2)
      let taken = try await f.pool.query(
        "SELECT order_id FROM supervision_order_proposals WHERE case_id = $1 AND task = 2", [Int64(accepted.id.dropFirst())!]
      ).scalar(Int64.self)
      #expect(taken == Int64(order.id.dropFirst()))
      // The order's own reply clock is warned on like any task.
      clock.advance(seconds: 10 * 86_400)
      try await sweeper.sweep()
      let levels = try await Self.warnings(f, case: order.id).map(\.1)
      #expect(levels == ["yellow", "red", "overdue"])
    }
  }

  @Test("notices and inspections: findings become rectifications tracked like tasks; lists filter")
  func noticesAndInspections() async throws {
    try await CaseFixture.with { f in
      let clock = ScriptedClock()
      let s = SupervisionService(store: f.pool, now: clock.reader)
      var record = Civicgrid_V1_RecordInspectionRequest()
      record.period = "2026-Q4"
      record.title = "Q4 inspection"
      var a = Civicgrid_V1_Finding()
      a.unitCode = "CTR2"
      a.description_p = "Queue numbers not displayed"
      a.rectifyWorkingDays = 5
      var b = a
      b.unitCode = "FIN"
      b.description_p = "Files incomplete"
      b.rectifyWorkingDays = 3
      record.findings = [a, b]
      let inspection = try await f.call(f.supervisor) { try await s.recordInspection(request: record, context: $0) }
      #expect(inspection.findings.allSatisfy { !$0.rectificationID.isEmpty })
      var get = Civicgrid_V1_GetOrderRequest()
      get.orderID = inspection.findings[1].rectificationID
      let rectification = try await f.call(f.handler("FIN")) { try await s.getOrder(request: get, context: $0) }
      #expect(rectification.kind == "inspectionFinding" && rectification.unitCode == "FIN" && rectification.inspectionID == inspection.id)
      let hidden = await rpcCode { _ = try await f.call(f.handler("HR")) { try await s.getOrder(request: get, context: $0) } }
      #expect(hidden?.0 == .notFound)
      let mine = try await f.call(f.handler("FIN")) { try await s.listInspections(request: .init(), context: $0) }
      #expect(mine.inspections.map(\.id) == [inspection.id])
      let others = try await f.call(f.handler("HR")) { try await s.listInspections(request: .init(), context: $0) }
      #expect(others.inspections.isEmpty)

      var notice = Civicgrid_V1_PublishNoticeRequest()
      notice.kind = .criticism
      notice.unitCode = "FIN"
      notice.period = "2026-Q4"
      notice.title = "Rectification late"
      notice.body = "FIN did not rectify in time."
      notice.orderIds = [rectification.id]
      let published = try await f.call(f.supervisor) { try await s.publishNotice(request: notice, context: $0) }
      #expect(published.orderIds == [rectification.id])
      var byUnit = Civicgrid_V1_ListNoticesRequest()
      byUnit.unitCode = "FIN"
      #expect(try await f.call(f.supervisor) { try await s.listNotices(request: byUnit, context: $0) }.notices.count == 1)
      byUnit.unitCode = "HR"
      #expect(try await f.call(f.supervisor) { try await s.listNotices(request: byUnit, context: $0) }.notices.isEmpty)
    }
  }

  @Test("IssueOrder with an idempotency key: a retry answers the first order, another request under it is refused, 10 racing make one")
  func idempotentIssue() async throws {
    try await CaseFixture.with { f in
      let s = SupervisionService(store: f.pool)
      var request = Civicgrid_V1_IssueOrderRequest()
      request.title = "Backlog"
      request.requirement = "Clear it"
      request.unitCode = "CTR2"
      request.replyWorkingDays = 3
      request.idempotencyKey = "order-1"
      let first = try await f.call(f.supervisor) { try await s.issueOrder(request: request, context: $0) }
      let retry = try await f.call(f.supervisor) { try await s.issueOrder(request: request, context: $0) }
      #expect(retry.id == first.id && retry.version == first.version)

      var other = request
      other.title = "Another backlog"
      let refused = await rpcCode { _ = try await f.call(f.supervisor) { try await s.issueOrder(request: other, context: $0) } }
      #expect(refused?.0 == .failedPrecondition && refused?.1.hasPrefix("idempotency_key:") == true)

      request.idempotencyKey = "order-2"
      let racing = try await withThrowingTaskGroup(of: String.self) { group in
        for _ in 0..<10 {
          group.addTask { [request] in try await f.call(f.supervisor) { try await s.issueOrder(request: request, context: $0) }.id }
        }
        return try await group.reduce(into: Set<String>()) { $0.insert($1) }
      }
      #expect(racing.count == 1 && !racing.contains(first.id))
      // Without a key every request is a new order.
      request.idempotencyKey = ""
      _ = try await f.call(f.supervisor) { try await s.issueOrder(request: request, context: $0) }
      let orders = try await f.pool.query("SELECT count(*) FROM supervision_orders").scalar(Int.self)
      let alerts = try await f.pool.query("SELECT count(*) FROM supervision_alerts WHERE kind = 'order'").scalar(Int.self)
      #expect(orders == 3 && alerts == 3)
    }
  }

  @Test("bad input answers INVALID_ARGUMENT naming the field")
  func validation() async throws {
    try await CaseFixture.with { f in
      let s = SupervisionService(store: f.pool)
      func issue(_ change: (inout Civicgrid_V1_IssueOrderRequest) -> Void) -> Civicgrid_V1_IssueOrderRequest {
        var request = Civicgrid_V1_IssueOrderRequest()
        request.title = "t"
        request.requirement = "r"
        request.unitCode = "CTR2"
        request.replyWorkingDays = 3
        change(&request)
        return request
      }
      let cases: [(Civicgrid_V1_IssueOrderRequest, String)] = [
        (issue { $0.title = " " }, "title"),
        (issue { $0.requirement = "" }, "requirement"),
        (issue { $0.replyWorkingDays = 0 }, "reply_working_days"),
        (issue { $0.replyWorkingDays = 31 }, "reply_working_days"),
        (issue { $0.unitCode = "NOPE" }, "unit_code"),
        (issue { $0.unitCode = "bad code!" }, "unit_code"),
        (issue { $0.subjectCaseID = "42" }, "subject_case_id"),
        (issue { $0.subjectTask = 2 }, "subject_task"),
        (issue { $0.level = .UNRECOGNIZED(9) }, "level"),
        (issue { $0.idempotencyKey = "has space" }, "idempotency_key"),
      ]
      for (request, field) in cases {
        let outcome = await rpcCode { _ = try await f.call(f.supervisor) { try await s.issueOrder(request: request, context: $0) } }
        #expect(outcome?.0 == .invalidArgument, "\(field)")
        #expect(outcome?.1.hasPrefix(field + ":") == true, "\(String(describing: outcome?.1)) should name \(field)")
      }
      var notice = Civicgrid_V1_PublishNoticeRequest()
      notice.kind = .commendation
      notice.unitCode = "FIN"
      notice.period = "2026-13"
      notice.title = "t"
      notice.body = "b"
      let period = await rpcCode { _ = try await f.call(f.supervisor) { try await s.publishNotice(request: notice, context: $0) } }
      #expect(period?.0 == .invalidArgument && period?.1.hasPrefix("period:") == true)
      var inspection = Civicgrid_V1_RecordInspectionRequest()
      inspection.period = "2026-Q4"
      inspection.title = "t"
      var finding = Civicgrid_V1_Finding()
      finding.unitCode = "FIN"
      finding.description_p = "d"
      inspection.findings = [finding]
      let days = await rpcCode { _ = try await f.call(f.supervisor) { try await s.recordInspection(request: inspection, context: $0) } }
      #expect(days?.0 == .invalidArgument && days?.1.hasPrefix("findings[0].rectify_working_days:") == true)
      var order = Civicgrid_V1_OrderRequest()
      order.orderID = "C1"
      order.expectedVersion = 0
      let version = await rpcCode { _ = try await f.call(f.handler("FIN")) { try await s.acknowledgeOrder(request: order, context: $0) } }
      #expect(version?.0 == .invalidArgument && version?.1.hasPrefix("expected_version:") == true)
    }
  }
}

/// A flag one task sets and another reads.
final class Latch: Sendable {
  private let value = Mutex(false)
  var isSet: Bool { self.value.withLock { $0 } }
  func set() { self.value.withLock { $0 = true } }
}

/// A stream consumer that hangs up (throws) after `budget` alerts.
final class AlertWriterProbe: RPCWriterProtocol, Sendable {
  let budget: Int
  private let seen = Mutex<[Int64]>([])
  init(budget: Int) { self.budget = budget }
  var received: [Int64] { self.seen.withLock { $0 } }

  struct HungUp: Error {}

  func write(_ element: Civicgrid_V1_Alert) async throws {
    let full = self.seen.withLock { alerts -> Bool in
      guard alerts.count < self.budget else { return true }
      alerts.append(element.sequence)
      return false
    }
    if full { throw HungUp() }
  }

  func write(contentsOf elements: some Sequence<Civicgrid_V1_Alert>) async throws {
    for element in elements { try await self.write(element) }
  }
}
