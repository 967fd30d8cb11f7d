import CivicProtos
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Calendar changes through the server", .timeLimit(.minutes(5)))
struct CalendarChangeTests {
  @Test("a new holiday moves the next computed deadline at once; clearing it moves it back")
  func changeIsSeenByTheNextRead() async throws {
    try await ServiceHarness.withServer { harness in
      let calendar = Civicgrid_V1_Calendar.Client(wrapping: harness.client)
      let admin = Metadata.bearer(harness.adminToken)
      // Monday 2026-12-07 10:00 Beijing time (02:00 UTC), 3 working days: Thursday 12-10 17:30.
      let request = Civicgrid_V1_ComputeDeadlineRequest.with {
        $0.start = Google_Protobuf_Timestamp(seconds: 1_796_608_800)
        $0.workingDays = 3
      }
      let before = try await calendar.computeDeadline(request, metadata: admin)
      #expect(before.localDeadline == "2026-12-10 17:30")

      let current = try await calendar.getCalendar(.init(), metadata: admin)
      let added = try await calendar.setDay(
        .with {
          $0.day = .with {
            $0.date = "2026-12-09"
            $0.kind = .holiday
            $0.name = "test holiday"
          }
          $0.expectedVersion = current.version
        },
        metadata: admin
      )
      #expect(try await calendar.computeDeadline(request, metadata: admin).localDeadline == "2026-12-11 17:30")

      _ = try await calendar.setDay(
        .with {
          $0.day = .with {
            $0.date = "2026-12-09"
            $0.kind = .ordinary
          }
          $0.expectedVersion = added.calendar.version
        },
        metadata: admin
      )
      #expect(try await calendar.computeDeadline(request, metadata: admin).localDeadline == "2026-12-10 17:30")
    }
  }
}
