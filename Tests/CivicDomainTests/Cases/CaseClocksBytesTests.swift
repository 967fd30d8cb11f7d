import Foundation
import Testing

@testable import CivicDomain

@Suite("CaseClocks.bytes: the stored clocks column", .timeLimit(.minutes(1)))
struct CaseClocksBytesTests {
  static func clock(_ limit: WorkingLimit = .workingDays(5), _ start: String = "2026-03-02 10:00") throws -> WorkClock {
    try WorkClock(limit: limit, start: at(start))
  }

  static func extensionOf(_ added: WorkingLimit, by party: Party) -> ClockExtension {
    ClockExtension(added: added, reason: "现场核查 site check", requestedBy: party, approvedBy: "sup-1", approvedAt: at("2026-03-04 09:00"))
  }

  /// Clocks in every shape the column must keep: running, paused (open pause), resumed more
  /// than once, extended in days and hours, stopped inside a pause, with every kind of party.
  static func shapes() throws -> [String: WorkClock] {
    var paused = try clock()
    try paused.pause(at: at("2026-03-03 09:00"), reason: .awaitingSupplement, causedBy: .applicant)
    var resumed = try clock(.workingHours(16))
    try resumed.pause(at: at("2026-03-02 11:00"), reason: .hearing, causedBy: handler("police"))
    try resumed.resume(at: at("2026-03-03 11:00"))
    try resumed.pause(at: at("2026-03-04 11:00"), reason: .technicalReview, causedBy: .system)
    try resumed.resume(at: at("2026-03-05 11:00"))
    var extended = try clock()
    try extended.extend(Self.extensionOf(.workingDays(3), by: handler("township")))
    try extended.extend(Self.extensionOf(.workingHours(4), by: .applicant))
    var stopped = try clock()
    try stopped.extend(Self.extensionOf(.workingDays(1), by: .system))
    try stopped.pause(at: at("2026-03-03 09:00"), reason: .applicantRequest, causedBy: .applicant)
    try stopped.stop(at: at("2026-03-04 15:30"))
    var stoppedRunning = try clock(.workingDays(1), "1969-12-31 23:00")
    try stoppedRunning.stop(at: at("2026-03-02 10:00"))
    return [
      "running": try clock(), "paused": paused, "resumed twice": resumed, "extended": extended, "stopped in a pause": stopped,
      "stopped, started before 1970": stoppedRunning,
    ]
  }

  @Test("every clock shape round-trips, as the case clock and as task clocks in every task state")
  func shapesRoundTrip() throws {
    let shapes = try Self.shapes()
    let states: [TaskState] = [.pending, .claimed, .approved, .denied, .returned, .withdrawn]
    for (name, clock) in shapes {
      let tasks = states.enumerated().map {
        CaseClocks.TaskClock(number: $0.offset + 1, state: $0.element, clock: clock, unit: $0.offset == 0 ? nil : UnitID("C0\($0.offset)"))
      }
      let clocks = CaseClocks(clock: clock, warningPolicy: try WarningPolicy(remainingWorkingDays: 2, remainingPercent: 35), tasks: tasks)
      #expect(try CaseClocks(bytes: clocks.bytes) == clocks, "\(name)")
    }
  }

  @Test("empty: no case clock and no tasks (an immediate item)")
  func empty() throws {
    let clocks = CaseClocks(try submitted(provided: ["id-card"], item: elderlyCard()))
    #expect(clocks.clock == nil && clocks.tasks.isEmpty)
    #expect(clocks.bytes == [2, 0, 0, 0, 1, 0, 0, 0, 20, 0, 0, 0, 0, 0], "format, policy 1 day / 20 %, no clock, no tasks")
    #expect(try CaseClocks(bytes: clocks.bytes) == clocks)
  }

  @Test("clocks stored in format 1, before tasks carried their unit, still read: the same clocks with no units")
  func formatOne() throws {
    let clock = try #require(try Self.shapes()["extended"])
    let withUnit = CaseClocks(clock: clock, warningPolicy: .defaults, tasks: [.init(number: 1, state: .claimed, clock: clock, unit: "C01")])
    let withoutUnit = CaseClocks(clock: clock, warningPolicy: .defaults, tasks: [.init(number: 1, state: .claimed, clock: clock)])
    #expect(try CaseClocks(bytes: withUnit.bytes).tasks.map(\.unit) == ["C01"])
    // Format 1 is format 2 without the unit's text: drop it (a length of 0 for no unit) and mark the format.
    var bytes = withoutUnit.bytes
    // Format, policy, the case clock and the task count, then the task's number and state.
    let unitAt = CaseClocks(clock: clock, warningPolicy: .defaults, tasks: []).bytes.count + 4 + 4 + "claimed".utf8.count
    #expect(bytes[unitAt..<unitAt + 4] == [0, 0, 0, 0])
    bytes.removeSubrange(unitAt..<unitAt + 4)
    bytes[0] = 1
    #expect(try CaseClocks(bytes: bytes) == withoutUnit)
  }

  @Test("a case's clocks read back give its own warnings at every hour of two weeks")
  func sameWarnings() throws {
    let value = try submitted().dispatched().approved(1, "2026-03-02 11:00")
    let stored = try CaseClocks(bytes: CaseClocks(value).bytes)
    #expect(stored == CaseClocks(value))
    var instant = at("2026-03-02 11:00")
    for _ in 0..<(24 * 14) {
      #expect(try stored.warnings(at: instant, in: china) == value.warnings(at: instant, in: china))
      instant = instant.adding(seconds: hour)
    }
  }

  @Test("truncated, foreign or padded bytes are refused as 'clocks', never a crash")
  func malformed() throws {
    let stopped = try Self.shapes()["stopped in a pause"]!
    let bytes = CaseClocks(clock: stopped, warningPolicy: .defaults, tasks: [.init(number: 1, state: .claimed, clock: stopped)]).bytes
    for length in 0..<bytes.count {
      #expect(throws: DomainError.self, "cut at \(length)") { try CaseClocks(bytes: Array(bytes.prefix(length))) }
    }
    func refusal(_ bytes: [UInt8]) -> String? {
      do {
        _ = try CaseClocks(bytes: bytes)
        return nil
      } catch {
        guard case .invalidField(let field, let problem) = error, field == "clocks" else { return "\(error)" }
        return problem
      }
    }
    #expect(refusal([3] + bytes.dropFirst())?.contains("format 3") == true)
    #expect(refusal(bytes + [0])?.contains("after the last task") == true)
    #expect(refusal(Array("{\"tasks\":[]}".utf8)) != nil, "a JSON snapshot is not stored clocks")
    var presence = bytes
    presence[9] = 7  // the case clock's presence byte
    #expect(refusal(presence)?.contains("presence byte 7") == true)
    var count = CaseClocks(clock: nil, warningPolicy: .defaults, tasks: []).bytes
    count.replaceSubrange(10..<14, with: [0x7f, 0xff, 0xff, 0xff])
    #expect(refusal(count)?.contains("impossible") == true, "a huge task count is refused before allocating")
  }
}
