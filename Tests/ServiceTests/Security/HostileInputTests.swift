import CivicProtos
import CivicServices
import CivicStore
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// Requests no client should send, generated field by field for every method of the
/// `MethodRegistry` from the protos' own descriptors, so a new RPC is covered the moment it
/// exists. The server runs in this process: a trap anywhere would end the test run.
@Suite("Hostile input over every method", .serialized, .timeLimit(.minutes(15)))
struct HostileInputTests {
  static let demoAccounts: [(login: String, role: Role)] = [
    ("admin", .admin), ("clerk", .clerk), ("handler", .handler), ("supervisor", .supervisor),
    ("gridworker", .gridWorker), ("mediator", .mediator), ("partner", .partner), ("auditor", .auditor),
  ]

  /// Response streams that stay open (the feeds) are cut after this; their answer then is
  /// DEADLINE_EXCEEDED, which is fine here: only INTERNAL and UNKNOWN are failures.
  static func timeout(_ entry: MethodRegistry.Entry) -> Duration {
    entry.serverStreaming ? .milliseconds(300) : .seconds(30)
  }

  /// Fields that ask the interop service (grpc.testing's TestService, as `Diagnostics`) to
  /// answer with a given status: any code there is an answer the client asked for.
  static func asksForStatus(_ path: RequestSchema.FieldPath) -> Bool {
    path.steps.first?.name == "response_status"
  }

  @Test("0, −1, min and max, NaN and ±∞ in every numeric and timestamp field, as every role: never INTERNAL or UNKNOWN")
  func numericExtremes() async throws {
    let schema = try RequestSchema.load()
    try await ServiceHarness.withServer { harness in
      var tokens: [(Role, String)] = []
      for account in Self.demoAccounts { tokens.append((account.role, try await harness.token(for: account.login))) }
      var failures: [String] = []
      var sent = 0
      var fields = 0
      for (name, entry) in MethodRegistry.entries.sorted(by: { $0.key < $1.key }) {
        for path in schema.leaves(of: entry.input.protoMessageName) {
          guard let values = ProtoValue.extremes(for: path.leaf.type), !Self.asksForStatus(path) else { continue }
          fields += 1
          for value in values {
            // The other fields plausible, so the value under test reaches the handler's work
            // (protobuf keeps the last value of a field and merges messages).
            let request =
              schema.plausibleRequest(of: entry.input.protoMessageName, excluding: path.steps[0].name)
              + RequestSchema.request(setting: path, to: value)
            let decodes = (try? entry.input.init(serializedBytes: request)) != nil
            for (role, token) in tokens {
              sent += 1
              let outcome = await rawCall(entry, request: request, token: token, client: harness.client, timeout: Self.timeout(entry))
              let code = outcome?.code
              if code == .internalError || code == .unknown || (!decodes && code != .invalidArgument) {
                failures.append("\(name) \(path)=\(value) as \(role.rawValue): \(code.map { "\($0)" } ?? "OK") \(outcome?.message.prefix(200) ?? "")")
              }
            }
          }
        }
      }
      #expect(failures.isEmpty, "\(failures.count) calls failed:\n\(failures.prefix(60).joined(separator: "\n"))")
      #expect(fields > 100, "only \(fields) numeric fields found: the schema walk is broken")
      #expect(sent > 5000)
      let health = try await Grpc_Health_V1_Health.Client(wrapping: harness.client).check(.init())
      #expect(health.status == .serving)
    }
  }

  @Test("NUL, control characters, invalid UTF-8 and 1 MB in every string field: INVALID_ARGUMENT naming the field, and the audit chain intact")
  func hostileStrings() async throws {
    let schema = try RequestSchema.load()
    try await ServiceHarness.withServer { harness in
      // Every writing role at the root, so every method's handler is reached.
      let token = try await harness.account("every-role", unit: "QH", roles: Role.allCases.filter { $0 != .auditor })
      var failures: [String] = []
      var fields = 0
      for (name, entry) in MethodRegistry.entries.sorted(by: { $0.key < $1.key }) {
        for path in schema.leaves(of: entry.input.protoMessageName) where path.leaf.type == .string {
          fields += 1
          for value in ProtoValue.hostileStrings {
            let request = RequestSchema.request(setting: path, to: value)
            let outcome = await rawCall(entry, request: request, token: token, client: harness.client)
            // The decoder refuses invalid UTF-8 before anything can name a field.
            let namesField = value.label == "invalid UTF-8" || outcome?.message.hasPrefix(Self.jsonPath(path)) == true
            if outcome?.code != .invalidArgument || !namesField {
              failures.append(
                "\(name) \(path)=\(value): \(outcome.map { "\($0.code)" } ?? "OK") \(outcome?.message.prefix(200) ?? "")"
              )
            }
            #expect((outcome?.message.utf8.count ?? 0) < 1024, "\(name) \(path): the answer echoes the input")
          }
        }
      }
      #expect(failures.isEmpty, "\(failures.count) calls failed:\n\(failures.prefix(60).joined(separator: "\n"))")
      #expect(fields > 100, "only \(fields) string fields found: the schema walk is broken")
      let verify = try await harness.audit.verifyAudit(.init(), metadata: .bearer(harness.adminToken))
      #expect(verify.intact, "\(verify.breaks)")
    }
  }

  /// How the boundary names a field: proto names joined with dots, a repeated field's
  /// element with its index (the generated request sets one element).
  static func jsonPath(_ path: RequestSchema.FieldPath) -> String {
    path.steps.map { $0.label == .repeated ? "\($0.name)[0]" : $0.name }.joined(separator: ".")
  }
}
