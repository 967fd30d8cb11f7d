import CivicDomain
import CivicRepositories
import CivicStore
import Testing

/// The alert feed's append (`AlertRepository.append`, one COPY per batch) read back from the table.
@Suite("Alert append", .timeLimit(.minutes(2)))
struct AlertAppendTests {
  @Test("alerts are numbered in the order given, every field as written (times before 1970 and leap days too), and the notification names the last")
  func appendInOrder() async throws {
    try await CaseFixture.with { f in
      let unit = f.units["CIVIL"]!
      let instants = [Instant(secondsSinceEpoch: -1), Instant(secondsSinceEpoch: 1_835_440_496), Instant(secondsSinceEpoch: 0)]
      let summaries = ["tab\tand\nline", "催办: case C00000001 is close to its deadline", "back\\slash \\N"]
      let alerts = zip(instants, summaries).enumerated().map { index, pair in
        NewAlert(
          kind: index == 1 ? "urge" : "warning", caseID: index == 2 ? nil : Int64(index + 1), task: index, caseKind: "serviceApplication",
          unitID: unit.id, unitPath: unit.path, level: index == 2 ? nil : .yellow, previousLevel: index == 0 ? .green : nil,
          orderID: nil, recordID: Int64(index * 7), summary: pair.1, at: pair.0
        )
      }
      let payload = try await f.pool.withNotifications(channels: [AlertRepository.notifyChannel]) { notifications -> String? in
        try await f.pool.transaction { try await AlertRepository($0).append(alerts) }
        for await notification in notifications { return notification.payload }
        return nil
      }
      let rows = try await f.pool.query(
        """
        SELECT seq, kind, case_id, task, case_kind, unit_id, unit_path, level, previous_level, record_id, summary,
          extract(epoch FROM at)::bigint FROM supervision_alerts ORDER BY seq
        """
      ).decode((Int64, String, Int64?, Int, String, Int64, String, String?, String?, Int64, String, Int).self)
      #expect(rows.map(\.1) == ["warning", "urge", "warning"])
      #expect(rows.map(\.2) == [1, 2, nil])
      #expect(rows.map(\.3) == [0, 1, 2] && rows.allSatisfy { $0.4 == "serviceApplication" && $0.5 == unit.id && $0.6 == unit.path })
      #expect(rows.map(\.7) == ["yellow", "yellow", nil] && rows.map(\.8) == ["green", nil, nil])
      #expect(rows.map(\.9) == [0, 7, 14])
      #expect(rows.map(\.10) == summaries)
      #expect(rows.map(\.11) == instants.map(\.secondsSinceEpoch))
      #expect(rows.map(\.0) == rows.map(\.0).sorted() && Set(rows.map(\.0)).count == 3)
      #expect(payload == String(rows.last!.0), "the notification carries the last sequence value")
    }
  }

  @Test("a transaction that appends alerts makes three round trips: BEGIN with the order lock, the COPY, the notification with COMMIT")
  func appendRoundTrips() async throws {
    try await CaseFixture.with { f in
      let unit = f.units["CIVIL"]!
      let alert = NewAlert(
        kind: "warning", caseID: 1, task: 1, caseKind: "serviceApplication", unitID: unit.id, unitPath: unit.path, level: .red,
        previousLevel: .yellow, orderID: nil, recordID: 0, summary: "red", at: Instant(secondsSinceEpoch: 1_800_000_000)
      )
      let (trips, payload) = try await f.pool.withNotifications(channels: [AlertRepository.notifyChannel]) { notifications in
        let trips = try await f.pool.withConnection { connection in
          let before = connection.roundTrips
          try await connection.transaction { try await AlertRepository($0).append([alert, alert]) }
          return connection.roundTrips - before
        }
        for await notification in notifications { return (trips, notification.payload) }
        return (trips, "")
      }
      #expect(trips == 3)
      let last = try await f.pool.query("SELECT max(seq) FROM supervision_alerts").scalar(Int64.self)
      #expect(payload == last.map(String.init), "the queued notification went out with the COMMIT")
    }
  }
}
