import CivicProtos
import CivicServices
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// Out of scope and missing answer alike, for every field of every method that names a unit:
/// generated from the registry and the protos' descriptors, so a new RPC is checked too.
@Suite("Scope cannot be probed", .serialized, .timeLimit(.minutes(10)))
struct ScopeOracleTests {
  /// Field names that hold a unit code.
  static func namesUnit(_ path: RequestSchema.FieldPath) -> Bool {
    let name = path.leaf.name
    return name == "unit" || name.hasSuffix("unit_code") || name == "root_code" || name == "parent_code"
      || name == "unit_codes"
  }

  @Test("a unit in another street and a unit that does not exist get the same status and message, from a street account holding every writing role")
  func unitOracle() async throws {
    let schema = try RequestSchema.load()
    try await ServiceHarness.withServer { harness in
      let token = try await harness.account("s1-all", unit: "QH-S1", roles: Role.allCases.filter { $0 != .auditor })
      var differences: [String] = []
      var fields = 0
      var lookedUp = 0
      for (name, entry) in MethodRegistry.entries.sorted(by: { $0.key < $1.key }) {
        for path in schema.leaves(of: entry.input.protoMessageName) where path.leaf.type == .string && Self.namesUnit(path) {
          fields += 1
          let outside = RequestSchema.request(setting: path, to: .lengthDelimited(Array("QH-S2".utf8), "QH-S2"))
          let missing = RequestSchema.request(setting: path, to: .lengthDelimited(Array("QH-S9".utf8), "QH-S9"))
          let timeout: Duration = entry.serverStreaming ? .milliseconds(300) : .seconds(30)
          let a = await rawCall(entry, request: outside, token: token, client: harness.client, timeout: timeout)
          let b = await rawCall(entry, request: missing, token: token, client: harness.client, timeout: timeout)
          let sameCode = a?.code == b?.code
          let sameMessage = a?.message.replacingOccurrences(of: "QH-S2", with: "QH-S9") == b?.message
          if !sameCode || !sameMessage {
            differences.append("\(name) \(path): outside → \(a.map { "\($0.code) \($0.message)" } ?? "OK"); missing → \(b.map { "\($0.code) \($0.message)" } ?? "OK")")
          }
          if b?.message.contains("QH-S9") == true { lookedUp += 1 }
        }
      }
      #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
      #expect(fields >= 15, "only \(fields) unit fields found")
      #expect(lookedUp >= 8, "only \(lookedUp) calls reached a unit lookup: the oracle test has gone blind")
    }
  }

  /// Field names that hold a case number (orders and rectifications are cases too).
  static func namesCase(_ path: RequestSchema.FieldPath) -> Bool {
    ["case_id", "order_id", "rectification_id", "subject_case_id", "case_ids", "order_ids"].contains(path.leaf.name)
  }

  @Test("a case outside the caller's scope and a case number that does not exist get the same status and message")
  func caseOracle() async throws {
    let schema = try RequestSchema.load()
    try await ServiceHarness.withServer { harness in
      // A case taken in at the district's service centre, outside street QH-S1.
      let cases = Civicgrid_V1_Cases.Client(wrapping: harness.client)
      let submitted = try await cases.submitApplication(
        .with {
          $0.itemCode = "QH-CA-001"
          $0.channel = .window
          $0.applicant.name = "Wang Fang"
          $0.applicant.idNumber = "110101195001011234"
          $0.applicant.phone = "13800138000"
          $0.unitCode = "QH-GSC"
        },
        metadata: .bearer(try await harness.token(for: "clerk"))
      )
      let outsideID = submitted.id
      let missingID = "C09999999"
      let token = try await harness.account("s1-all", unit: "QH-S1", roles: Role.allCases.filter { $0 != .auditor })
      var differences: [String] = []
      var fields = 0
      var lookedUp = 0
      for (name, entry) in MethodRegistry.entries.sorted(by: { $0.key < $1.key }) {
        for path in schema.leaves(of: entry.input.protoMessageName) where path.leaf.type == .string && Self.namesCase(path) {
          fields += 1
          let timeout: Duration = entry.serverStreaming ? .milliseconds(300) : .seconds(30)
          // The other fields plausible, so the call gets as far as its lookup.
          let plausible = schema.plausibleRequest(of: entry.input.protoMessageName, excluding: path.steps[0].name)
          let outside = plausible + RequestSchema.request(setting: path, to: .lengthDelimited(Array(outsideID.utf8), outsideID))
          let missing = plausible + RequestSchema.request(setting: path, to: .lengthDelimited(Array(missingID.utf8), missingID))
          let a = await rawCall(entry, request: outside, token: token, client: harness.client, timeout: timeout)
          let b = await rawCall(entry, request: missing, token: token, client: harness.client, timeout: timeout)
          if a?.code != b?.code || a?.message.replacingOccurrences(of: outsideID, with: missingID) != b?.message {
            differences.append("\(name) \(path): outside → \(a.map { "\($0.code) \($0.message)" } ?? "OK"); missing → \(b.map { "\($0.code) \($0.message)" } ?? "OK")")
          }
          if b?.message.contains(missingID) == true { lookedUp += 1 }
        }
      }
      #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
      #expect(fields >= 15, "only \(fields) case fields found")
      #expect(lookedUp >= 20, "only \(lookedUp) calls reached a case lookup: the oracle test has gone blind")
    }
  }
}
