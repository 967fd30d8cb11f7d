import CivicStore
import Testing

@Suite("LISTEN/NOTIFY", .timeLimit(.minutes(1)))
struct NotificationTests {
  @Test("notifications reach a listener on its dedicated connection")
  func listenNotify() async throws {
    let channel = "civic test \(TestDatabase.tableName("chan"))"  // needs identifier quoting
    try await TestDatabase.withPool(poolSize: 2) { pool in
      let received = try await pool.withNotifications(channels: [channel]) { stream in
        try await pool.notify(channel: channel, payload: "one")
        try await pool.notify(channel: channel, payload: "it's \"two\"")
        var payloads: [String] = []
        for await note in stream {
          #expect(note.channel == channel)
          payloads.append(note.payload)
          if payloads.count == 2 { break }
        }
        return payloads
      }
      #expect(received == ["one", "it's \"two\""])
    }
  }
}
