import CivicProtos
import CivicServices
import GRPCCore
import Logging
import SwiftProtobuf
import Testing

/// The server's log at debug while calls carry personal data and bearer secrets: no full ID
/// number, phone number or secret appears, and every line of a call names its request id,
/// method and account (docs/MONITORING.md, Logs).
@Suite("Logs without personal data", .timeLimit(.minutes(5)))
struct LogPrivacyTests {
  @Test(
    "intake with an ID number and phone, a token issued, a refused call: no personal data or secret in the log; call lines name request id, method and account"
  )
  func noPersonalDataInLogs() async throws {
    let log = CapturedLog()
    let idNumber = "110101195001011234"
    let phone = "13800138000"
    let secrets = try await ServiceHarness.withServer(logger: log.logger()) { harness in
      let clerk = try await harness.token(for: "clerk")
      var metadata = Metadata.bearer(clerk)
      metadata.addString("log-test-intake", forKey: "x-request-id")
      let cases = Civicgrid_V1_Cases.Client(wrapping: harness.client)
      _ = try await cases.submitApplication(
        .with {
          $0.itemCode = "QH-CA-001"
          $0.channel = .window
          $0.applicant.name = "Wang Fang"
          $0.applicant.idNumber = idNumber
          $0.applicant.phone = phone
          $0.unitCode = "QH-GSC"
        },
        metadata: metadata
      )
      // A refused one too: its error message must not reach the log either.
      await #expect(throws: RPCError.self) {
        _ = try await cases.submitApplication(
          .with {
            $0.itemCode = "QH-CA-001"
            $0.channel = .window
            $0.applicant.name = "Wang Fang"
            $0.applicant.idNumber = idNumber + "9"
            $0.applicant.phone = phone
          },
          metadata: .bearer(clerk)
        )
      }
      var adminMetadata = Metadata.bearer(harness.adminToken)
      adminMetadata.addString("log-test-token", forKey: "x-request-id")
      let issued = try await harness.directory.issueToken(
        .with {
          $0.login = "clerk"; $0.label = "log test"
        },
        metadata: adminMetadata
      )
      return [clerk, harness.adminToken, issued.secret]
    }

    let lines = log.lines
    try #require(!lines.isEmpty)
    for line in lines {
      let text = line.rendered
      #expect(!text.contains(idNumber), "an ID number in: \(text)")
      #expect(!text.contains(phone), "a phone number in: \(text)")
      for secret in secrets { #expect(!text.contains(secret), "a bearer secret in: \(text)") }
    }

    let callLines = lines.filter { $0.metadata["rpc.method"] != nil }
    for line in callLines {
      #expect(line.metadata["rpc.request_id"] != nil, "\(line.rendered)")
    }
    let intake = callLines.filter { $0.metadata["rpc.request_id"] == "log-test-intake" }
    #expect(intake.contains { $0.message == "rpc started" } && intake.contains { $0.message == "rpc finished" })
    for line in intake {
      #expect(line.metadata["rpc.method"] == "civicgrid.v1.Cases/SubmitApplication")
      #expect(line.metadata["rpc.account"] == "clerk")
    }
    #expect(intake.contains { $0.message == "application submitted" && $0.metadata["case.number"] != nil })
    let token = callLines.filter { $0.metadata["rpc.request_id"] == "log-test-token" }
    #expect(token.contains { $0.message == "token issued" })
    for line in token {
      #expect(line.metadata["rpc.method"] == "civicgrid.v1.Directory/IssueToken")
      #expect(line.metadata["rpc.account"] == "admin")
    }
  }
}
