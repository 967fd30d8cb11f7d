import CivicProtos
import CivicRepositories
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import SwiftProtobuf
import Synchronization
import Testing

@Suite("Cases service against PostgreSQL", .serialized, .timeLimit(.minutes(5)))
struct CasesServiceTests {
  @Test("bad requests answer INVALID_ARGUMENT naming the field")
  func validation() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let cases: [(String, (inout Civicgrid_V1_SubmitApplicationRequest) -> Void)] = [
        ("item_code", { $0.itemCode = "" }),
        ("channel", { $0.channel = .unspecified }),
        ("applicant.name", { $0.applicant.name = "  " }),
        ("applicant.id_number", { $0.applicant.idNumber = "12345" }),
        ("applicant.phone", { $0.applicant.phone = "call me" }),
        ("provided_materials[0]", { $0.providedMaterials = [""] }),
      ]
      for (field, mutate) in cases {
        var request = f.application()
        mutate(&request)
        let failure = await rpcCode { _ = try await f.call(f.clerk) { try await f.cases.submitApplication(request: request, context: $0) } }
        #expect(failure?.0 == .invalidArgument, "\(field)")
        #expect(failure?.1.hasPrefix(field + ":") == true, "\(String(describing: failure?.1))")
      }
      let partnerWithoutKey = await rpcCode {
        _ = try await f.call(f.partner) { try await f.cases.submitApplication(request: f.application(channel: .online), context: $0) }
      }
      #expect(partnerWithoutKey?.0 == .invalidArgument)
      #expect(partnerWithoutKey?.1.hasPrefix("idempotency_key:") == true)
      #expect(try await f.pool.query("SELECT count(*) FROM cases").scalar(Int.self) == 0)
    }
  }

  @Test("SubmitApplication answers the case as GetCase then reads it, though it does not read it back")
  func submitAnswersTheStoredCase() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      var submitted = try await f.call(f.clerk) { try await f.cases.submitApplication(request: f.application(), context: $0) }
      var request = Civicgrid_V1_GetCaseRequest()
      request.caseID = submitted.id
      var read = try await f.call(f.clerk) { try await f.cases.getCase(request: request, context: $0) }
      #expect(read.timeline.map(\.kind) == ["submitted"])
      read.timeline = []
      // The two answers evaluate the clock a moment apart.
      submitted.clock.remainingWorkingSeconds = 0
      read.clock.remainingWorkingSeconds = 0
      #expect(submitted == read)
      #expect(submitted.itemName == "Elderly allowance" && submitted.unitCode == "CTR" && submitted.applicant.phone == "13800138000")
      #expect(submitted.updatedAt == submitted.submittedAt)
    }
  }

  @Test("a case runs from submission through two stages to completion; illegal transitions name the state")
  func fullFlow() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      var current = try await f.submitAndAccept()
      #expect(current.state == "inProcessing")
      #expect(current.tasks.map(\.unitCode) == ["CIVIL", "HR"])
      #expect(current.clock.limitWorkingDays == 5)
      // Accepting again is illegal in inProcessing.
      var again = Civicgrid_V1_AcceptCaseRequest()
      again.caseID = current.id
      again.expectedVersion = current.version
      let illegal = await rpcCode { _ = try await f.call(f.clerk) { try await f.cases.acceptCase(request: again, context: $0) } }
      #expect(illegal?.0 == .failedPrecondition)
      #expect(illegal?.1.contains("is inProcessing") == true, "\(String(describing: illegal?.1))")
      for unit in ["CIVIL", "HR", "FIN"] {
        let task = current.tasks.last { $0.unitCode == unit }!
        var claim = Civicgrid_V1_TaskRequest()
        claim.caseID = current.id
        claim.task = task.number
        claim.expectedVersion = task.version
        current = try await f.call(f.handler(unit)) { try await f.cases.claimTask(request: claim, context: $0) }
        var approve = Civicgrid_V1_DecideTaskRequest()
        approve.caseID = current.id
        approve.task = task.number
        approve.expectedVersion = task.version + 1
        approve.opinion = "\(unit) agrees"
        current = try await f.call(f.handler(unit)) { try await f.cases.approveTask(request: approve, context: $0) }
      }
      #expect(current.state == "completed")
      #expect(current.approved)
      #expect(current.opinions.count == 3)
      var get = Civicgrid_V1_GetCaseRequest()
      get.caseID = current.id
      // Numbered after commit: once the sequencer has passed, the timeline's numbers follow its order.
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool))
      let seen = try await f.call(f.supervisor) { try await f.cases.getCase(request: get, context: $0) }
      #expect(seen.timeline.map(\.sequence) == seen.timeline.map(\.sequence).sorted())
      #expect(!seen.timeline.contains { $0.sequence == 0 })
      #expect(seen.timeline.contains { $0.kind == "completed" })
      #expect(seen.applicant.idNumber == "110***********1234")  // masked for a supervisor
      #expect(current.applicant.idNumber == "110101195001011234")  // not for the handler
      let audit = try await f.pool.query("SELECT count(*) FROM audit_log WHERE object = $1", ["case/\(current.id)"]).scalar(Int.self)
      #expect(audit == 8)  // submit, accept, 3 × (claim, approve)
    }
  }

  @Test("50 parallel retries of one submission make exactly one case")
  func idempotentSubmission() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let request = f.application(channel: .online, key: "portal-req-0001")
      let ids = try await withThrowingTaskGroup(of: String.self) { group in
        for _ in 0..<50 {
          group.addTask {
            // A client's retries of ABORTED, bounded in time: a submission that never stops
            // conflicting fails the test instead of retrying forever. (Bounded by a count of
            // 500 it failed about one run in five on a busy machine, when the winning
            // submission took over 8 s to commit under the 49 retriers: an open finding.)
            let giveUp = ContinuousClock.now.advanced(by: .seconds(60))
            while ContinuousClock.now < giveUp {
              do {
                return try await f.call(f.partner) { try await f.cases.submitApplication(request: request, context: $0) }.id
              } catch let error as any RPCErrorConvertible where error.rpcErrorCode == .aborted {
                try await Task.sleep(for: .milliseconds(5))
              }
            }
            throw RPCError(code: .aborted, message: "still ABORTED after 60 s of retries")
          }
        }
        return try await group.reduce(into: Set<String>()) { $0.insert($1) }
      }
      #expect(ids.count == 1)
      #expect(try await f.pool.query("SELECT count(*) FROM cases").scalar(Int.self) == 1)
      var different = request
      different.applicant.name = "Li Lei"
      let reuse = await rpcCode { _ = try await f.call(f.partner) { try await f.cases.submitApplication(request: different, context: $0) } }
      #expect(reuse?.0 == .failedPrecondition)
      #expect(reuse?.1.hasPrefix("idempotency_key:") == true)
    }
  }

  @Test("20 handlers racing for one task: one wins, the rest are ABORTED; then one approval wins")
  func racingHandlers() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let accepted = try await f.submitAndAccept()
      let task = accepted.tasks[0]
      let outcomes = await withTaskGroup(of: RPCError.Code?.self) { group in
        for n in 0..<20 {
          group.addTask {
            var claim = Civicgrid_V1_TaskRequest()
            claim.caseID = accepted.id
            claim.task = task.number
            claim.expectedVersion = task.version
            return await rpcCode { _ = try await f.call(f.handler("CIVIL", n)) { try await f.cases.claimTask(request: claim, context: $0) } }?.0
          }
        }
        return await group.reduce(into: [RPCError.Code?]()) { $0.append($1) }
      }
      #expect(outcomes.filter { $0 == nil }.count == 1)
      #expect(outcomes.filter { $0 == .aborted }.count == 19)
      var get = Civicgrid_V1_GetCaseRequest()
      get.caseID = accepted.id
      let claimed = try await f.call(f.supervisor) { try await f.cases.getCase(request: get, context: $0) }.tasks[0]
      let winner = Int(claimed.claimedBy.dropFirst().prefix { $0 != "-" })!
      let approvals = await withTaskGroup(of: RPCError.Code?.self) { group in
        for _ in 0..<20 {
          group.addTask {
            var approve = Civicgrid_V1_DecideTaskRequest()
            approve.caseID = accepted.id
            approve.task = task.number
            approve.expectedVersion = claimed.version
            approve.opinion = "ok"
            return await rpcCode { _ = try await f.call(f.handler("CIVIL", winner)) { try await f.cases.approveTask(request: approve, context: $0) } }?.0
          }
        }
        return await group.reduce(into: [RPCError.Code?]()) { $0.append($1) }
      }
      #expect(approvals.filter { $0 == nil }.count == 1)
      #expect(approvals.filter { $0 == .aborted }.count == 19)
    }
  }

  @Test("another department or centre cannot see or touch a case: NOT_FOUND like a missing one")
  func scope() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let accepted = try await f.submitAndAccept()
      var claim = Civicgrid_V1_TaskRequest()
      claim.caseID = accepted.id
      claim.task = 1  // CIVIL's task
      claim.expectedVersion = 1
      let wrongUnit = await rpcCode { _ = try await f.call(f.handler("FIN")) { try await f.cases.claimTask(request: claim, context: $0) } }
      #expect(wrongUnit?.0 == .notFound)
      let otherCentre = f.principal("clerk2", "CTR2", [.clerk])
      var get = Civicgrid_V1_GetCaseRequest()
      get.caseID = accepted.id
      let hidden = await rpcCode { _ = try await f.call(otherCentre) { try await f.cases.getCase(request: get, context: $0) } }
      get.caseID = "C99999999"
      let missing = await rpcCode { _ = try await f.call(otherCentre) { try await f.cases.getCase(request: get, context: $0) } }
      #expect(hidden?.0 == .notFound)
      #expect(missing?.0 == .notFound)
      #expect(hidden?.1.replacingOccurrences(of: accepted.id, with: "X") == missing?.1.replacingOccurrences(of: "C99999999", with: "X"))
      let list = try await f.call(otherCentre) { try await f.cases.listCases(request: .init(), context: $0) }
      #expect(list.cases.isEmpty)
      let inbox = try await f.call(f.handler("HR")) { try await f.cases.listTasks(request: .init(), context: $0) }
      #expect(inbox.tasks.map(\.caseID) == [accepted.id])
    }
  }

  @Test("ListCases pages with the shared page token; a bare id, an edited or a made-up token answers INVALID_ARGUMENT on page_token")
  func listPageTokens() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      let first = try await f.call(f.clerk) { try await f.cases.submitApplication(request: f.application(), context: $0) }
      let second = try await f.call(f.clerk) { try await f.cases.submitApplication(request: f.application(), context: $0) }
      let page1 = try await f.call(f.clerk) { try await f.cases.listCases(request: .with { $0.pageSize = 1 }, context: $0) }
      #expect(page1.cases.map(\.id) == [second.id])
      #expect(!page1.nextPageToken.isEmpty)
      let page2 = try await f.call(f.clerk) {
        try await f.cases.listCases(request: .with { $0.pageSize = 1; $0.pageToken = page1.nextPageToken }, context: $0)
      }
      #expect(page2.cases.map(\.id) == [first.id])
      for token in [String(second.id.dropFirst()), "2", page1.nextPageToken + "A", "bm90IGEgdG9rZW4"] {
        let refused = await rpcCode {
          _ = try await f.call(f.clerk) { try await f.cases.listCases(request: .with { $0.pageToken = token }, context: $0) }
        }
        #expect(refused?.0 == .invalidArgument, "\(token)")
        #expect(refused?.1 == "page_token: is not a token this server issued", "\(token)")
      }
    }
  }

  @Test("the event feed: a consumer that disconnects at random points sees every event once, in order")
  func eventFeed() async throws {
    try await CaseFixture.with { f in
      try await f.publishItem()
      for _ in 0..<6 { _ = try await f.submitAndAccept() }
      // The feed serves numbered events only; the fixture's sequencer numbers them after commit.
      try #require(try await Sequencer.awaitSequenced(.caseEvents, store: f.pool))
      let total = try await f.pool.query("SELECT count(*) FROM case_events").scalar(Int.self)!
      let expected = try await f.pool.query("SELECT seq FROM case_events ORDER BY seq").rows.map { try $0.decode(Int64.self, at: 0) }
      var seen: [Int64] = []
      var after: Int64 = 0
      var rounds = 0
      while seen.count < total {
        // Bounded: a feed that stops delivering fails the test instead of looping forever.
        rounds += 1
        try #require(rounds <= 20 * total, "the feed stopped delivering after \(seen.count) of \(total) events")
        let budget = Int.random(in: 1...7)
        let writer = DisconnectingWriter(budget: budget)
        var request = Civicgrid_V1_WatchEventsRequest()
        request.after = after
        let watch = request
        // The stream is live: a consumer that got less than its budget hangs up after a moment.
        await withTaskGroup(of: Void.self) { group in
          group.addTask {
            _ = await rpcCode {
              try await f.call(f.partner) { try await f.cases.watchEvents(request: watch, response: RPCWriter(wrapping: writer), context: $0) }
            }
          }
          group.addTask { try? await Task.sleep(for: .milliseconds(400)) }
          await group.next()
          group.cancelAll()
        }
        let got = writer.events
        seen += got
        after = got.last ?? after
      }
      #expect(seen == expected)
    }
  }
}

/// A stream consumer that hangs up (throws) after `budget` events.
final class DisconnectingWriter: RPCWriterProtocol, Sendable {
  let budget: Int
  private let received = Mutex<[Int64]>([])
  init(budget: Int) { self.budget = budget }
  var events: [Int64] { self.received.withLock { $0 } }

  struct HungUp: Error {}

  func write(_ element: Civicgrid_V1_CaseEvent) async throws {
    let full = self.received.withLock { events -> Bool in
      guard events.count < self.budget else { return true }
      events.append(element.sequence)
      return false
    }
    if full { throw HungUp() }
  }

  func write(contentsOf elements: some Sequence<Civicgrid_V1_CaseEvent>) async throws {
    for element in elements { try await self.write(element) }
  }
}
