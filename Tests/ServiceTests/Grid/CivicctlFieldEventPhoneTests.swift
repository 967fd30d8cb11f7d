import CivicServer
import CivicServices
import CivicTestSupport
import Foundation
import Testing

/// civicctl's event upload, acknowledge and check against a real server and database (the
/// demo district): a phone's file of three reports (urgent, ordinary, malformed) answered in
/// order and the same again on retry; the urgent alert acknowledged by a supervisor over the
/// grid (a grid worker may not); a sampled self-handled event checked by the street.
@Suite("civicctl: event upload, acknowledge, check", .serialized, .timeLimit(.minutes(5)))
struct CivicctlFieldEventPhoneTests {
  @Test("upload answers each report in order (a refusal named, the rest recorded) and a retry the same events; acknowledge; check --failed/--confirmed")
  func phone() async throws {
    try await ServiceHarness.withServer { harness in
      let people = try await GridCivicctlSessions(harness)
      let (grid, street, supervisor) = (people.grid, people.street, people.supervisor)
      try await people.publishRouting(
        #"{"category":"FIELD_EVENT_CATEGORY_SAFETY_HAZARD","tier":"REQUEST_TIER_STREET","workingDays":3,"urgentHours":2},"#
          + #"{"category":"FIELD_EVENT_CATEGORY_ENVIRONMENT","tier":"REQUEST_TIER_STREET","workingDays":3,"urgentHours":2,"checkOneIn":1}"#
      )

      let file = grid.home + "/reports.json"
      try Data(
        """
        [{"category":"FIELD_EVENT_CATEGORY_SAFETY_HAZARD","urgent":true,"location":"Heping Lane 7","description":"Smoke from a boiler room","idempotencyKey":"phone/1"},
         {"category":"FIELD_EVENT_CATEGORY_ENVIRONMENT","location":"Heping Lane 9","description":"Rubbish dumped by the gate","idempotencyKey":"phone/2"},
         {"category":"FIELD_EVENT_CATEGORY_OTHER","location":" ","description":"no place","idempotencyKey":"phone/3"}]
        """.utf8
      ).write(to: URL(fileURLWithPath: file))
      let uploaded = try await grid("event", "upload", file)
      #expect(uploaded.status == 0, "\(uploaded.stderr)")
      let lines = uploaded.stdout.split(separator: "\n").map(String.init)
      #expect(lines.count == 5 && lines.last == "2 of 3 reports recorded", "\(uploaded.stdout)")
      let urgentLine = try #require(lines.first { $0.hasPrefix("0 ") })
      #expect(urgentLine.contains("safety-hazard") && urgentLine.contains("yes") && urgentLine.contains("routed") && urgentLine.hasSuffix("ok"))
      #expect(lines.first { $0.hasPrefix("2 ") }?.contains("INVALID_ARGUMENT: location") == true, "\(uploaded.stdout)")
      let ids = lines.filter { $0.hasPrefix("0 ") || $0.hasPrefix("1 ") }.map { String($0.split(separator: " ")[1]) }
      #expect(ids.count == 2 && ids.allSatisfy { $0.hasPrefix("C") })

      let retried = try await grid("event", "upload", file, "--json")
      #expect(retried.status == 0, "\(retried.stderr)")
      for id in ids { #expect(retried.stdout.contains("\"id\":\"\(id)\"") || retried.stdout.contains("\"id\": \"\(id)\""), "\(retried.stdout)") }
      let listed = try await grid("event", "list", "--json")
      #expect(listed.stdout.components(separatedBy: "\"category\":").count == 3, "two events, one per key: \(listed.stdout)")
      let bad = try await CivicctlStaffTests.civicctl(["event", "upload", "-"], home: grid.home, stdin: #"[{"category":"FIELD_EVENT_CATEGORY_OTHER"}, {"urgent":"#)
      #expect(bad.status == 64 && bad.stderr.contains("not a JSON array of reports"), "\(bad.status) \(bad.stderr)")
      let malformed = try await CivicctlStaffTests.civicctl(["event", "upload", "-"], home: grid.home, stdin: #"[{"category":"FIELD_EVENT_CATEGORY_OTHER"}, {"colour":1}]"#)
      #expect(malformed.status == 64 && malformed.stderr.contains("reports[1] is not a ReportEventRequest"), "\(malformed.stderr)")

      let (urgent, ordinary) = (ids[0], ids[1])
      let refused = try await grid("event", "acknowledge", urgent)
      #expect(refused.status == 7 && refused.stderr.hasPrefix("PERMISSION_DENIED: "), "\(refused.stderr)")
      let acknowledged = try await supervisor("event", "acknowledge", urgent)
      #expect(acknowledged.status == 0 && acknowledged.stdout.hasPrefix("Urgent alert of event \(urgent):"), "\(acknowledged.stderr)")
      let rows = acknowledged.stdout.split(separator: "\n").map(String.init)
      let mine = try #require(rows.first { $0.contains(" supervisor ") })
      #expect(!mine.hasSuffix(" no"), "the supervisor's row is acknowledged: \(acknowledged.stdout)")
      let unit = try #require(rows.first { $0.contains("(the unit)") })
      #expect(unit.hasPrefix("QH-S1 ") && unit.hasSuffix(" no"), "the street's row waits: \(acknowledged.stdout)")

      let handled = try await grid("event", "handle", ordinary, "--evidence", "Swept up")
      #expect(handled.status == 0 && handled.stdout.contains("· checking"), "\(handled.stderr)\(handled.stdout)")
      let noNote = try await street("event", "check", ordinary, "--failed")
      #expect(noNote.status == 3 && noNote.stderr.hasPrefix("INVALID_ARGUMENT: note"), "\(noNote.stderr)")
      let failed = try await street("event", "check", ordinary, "--failed", "--note", "Still there the next morning")
      #expect(failed.status == 0 && failed.stdout.contains("· reported"), "\(failed.stderr)\(failed.stdout)")
      _ = try await grid("event", "handle", ordinary, "--evidence", "Removed by the cleaning crew")
      let confirmed = try await street("event", "check", ordinary, "--confirmed")
      #expect(confirmed.status == 0 && confirmed.stdout.contains("· handled"), "\(confirmed.stderr)\(confirmed.stdout)")
    }
  }
}
