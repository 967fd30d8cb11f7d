import CivicProtos
import CivicServices
import Foundation
import GRPCCore
import SwiftProtobuf
import Synchronization
import Testing

/// The masking step over every response message of the generated `MethodRegistry` that can
/// hold personal data: each is filled in every field (every marked field with a personal
/// value) straight from the descriptors, passed through `PersonalDataInterceptor` as each
/// role, and compared with the same message built with the masked values. The expectation
/// is built from the descriptors and literals here, not from `MaskPlan`, so a field the
/// plan misses fails.
@Suite("Personal data masking over the registry", .timeLimit(.minutes(5)))
struct PersonalDataRegistryTests {
  /// Written separately from `PersonalDataAccess` on purpose: a change of who sees what has
  /// to be made twice.
  static let rolesSeeingPersonalData: Set<Role> = [.clerk, .handler]
  /// Written out apart from `PersonalDataAccess.unmasked`: mediators see the parties of disputes.
  static let messagesMediatorsSee: Set<String> = ["civicgrid.v1.Dispute", "civicgrid.v1.ListDisputesResponse", "civicgrid.v1.Agenda"]

  /// The value put in a marked field, and what a masked caller must receive instead.
  static let samples: [Civicgrid_V1_PersonalData: (value: String, masked: String)] = [
    .idNumber: ("11010119500101123X", "110***********123X"),
    .phone: ("+8613800138000", "+86*******8000"),
    .address: ("北京市东城区东四北大街 3 号楼 402", "***"),
    .birthDate: ("1950-01-01", "1950-**-**"),
  ]

  struct Descriptors {
    var messages: [String: Google_Protobuf_DescriptorProto] = [:]

    init() throws {
      let set = try Google_Protobuf_FileDescriptorSet(
        serializedBytes: try ProtoDescriptors.serializedFileDescriptorSet(),
        extensions: Civicgrid_V1_Privacy_Extensions
      )
      func add(_ message: Google_Protobuf_DescriptorProto, prefix: String) {
        let name = "\(prefix).\(message.name)"
        self.messages[name] = message
        for nested in message.nestedType { add(nested, prefix: name) }
      }
      for file in set.file { for message in file.messageType { add(message, prefix: file.package) } }
    }

    /// Fills every field of `name` (messages to `depth` levels; repeated fields twice, maps
    /// once; one member per oneof, a marked one when there is one) and returns the encoding
    /// as sent and as a masked caller must receive it, and how many marked values it holds.
    func fill(_ name: String, depth: Int = 0) throws -> (plain: [UInt8], masked: [UInt8], personal: Int) {
      let message = try #require(self.messages[name], "no descriptor for \(name)")
      var plain = MaskPlanTests.Wire()
      var masked = MaskPlanTests.Wire()
      var personal = 0
      var oneofsDone: Set<Int32> = []
      let ordered = message.field.sorted { a, b in a.options.hasCivicgrid_V1_personal && !b.options.hasCivicgrid_V1_personal }
      for field in ordered {
        if field.hasOneofIndex && !field.proto3Optional {
          guard oneofsDone.insert(field.oneofIndex).inserted else { continue }
        }
        let number = UInt64(field.number)
        let typeName = String(field.typeName.drop(while: { $0 == "." }))
        let isMap = field.type == .message && self.messages[typeName]?.options.mapEntry == true
        let count = field.label == .repeated && !isMap ? 2 : 1
        for _ in 0..<count {
          var same = MaskPlanTests.Wire()  // what both callers get
          switch field.type {
          case .string where field.options.hasCivicgrid_V1_personal:
            let sample = try #require(PersonalDataRegistryTests.samples[field.options.Civicgrid_V1_personal], "\(name).\(field.name)")
            plain.string(number, sample.value)
            masked.string(number, sample.masked)
            personal += 1
          case .string: same.string(number, "\(field.name) 11010119500101123X")
          case .bytes: same.delimited(number, [0, 1, 2, 0xff])
          case .message where field.options.hasCivicgrid_V1_personal:
            // A marked message field (a map point) is sent whole and left out when masked.
            #expect(field.options.Civicgrid_V1_personal == .point, "\(name).\(field.name)")
            let inner = try self.fill(typeName, depth: depth + 1)
            plain.delimited(number, inner.plain)
            personal += 1
          case .message, .group:
            guard depth < 4 else { continue }
            let inner = try self.fill(typeName, depth: depth + 1)
            plain.delimited(number, inner.plain)
            masked.delimited(number, inner.masked)
            personal += inner.personal
          case .double, .fixed64, .sfixed64:
            same.tag(number, 1)
            same.bytes += [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]
          case .float, .fixed32, .sfixed32:
            same.tag(number, 5)
            same.bytes += [0, 0, 0x80, 0x3f]
          default:  // varints: integers, bool, enum
            same.tag(number, 0)
            same.varint(1)
          }
          plain.bytes += same.bytes
          masked.bytes += same.bytes
        }
      }
      return (plain.bytes, masked.bytes, personal)
    }
  }

  /// Every response type of the registry that can hold personal data, by the descriptors.
  static func responseTypes() -> [(name: String, type: any (SwiftProtobuf.Message & Sendable).Type)] {
    var seen: Set<String> = []
    return MethodRegistry.entries.values
      .map { ($0.output.protoMessageName, $0.output) }
      .filter { seen.insert($0.0).inserted }
      .sorted { $0.0 < $1.0 }
  }

  @Test("every response message with a personal field is masked for every role but clerk and handler (and mediators in disputes), other fields untouched")
  func everyResponseType() async throws {
    let descriptors = try Descriptors()
    var covered: [String] = []
    for (name, type) in Self.responseTypes() {
      let filled = try descriptors.fill(name)
      guard filled.personal > 0 else {
        #expect(!MaskPlan.bundled.leadsToPersonalData(name), "\(name) holds no personal field but the plan masks it")
        continue
      }
      covered.append(name)
      try await Self.check(type, name: name, filled: filled)
    }
    #expect(
      Set(["civicgrid.v1.Case", "civicgrid.v1.ListCasesResponse", "civicgrid.v1.Appointment", "civicgrid.v1.HomeVisit"])
        .isSubset(of: covered),
      "covered: \(covered)"
    )
  }

  static func check<M: SwiftProtobuf.Message & Sendable>(
    _ type: M.Type,
    name: String,
    filled: (plain: [UInt8], masked: [UInt8], personal: Int)
  ) async throws {
    let original = try M(serializedBytes: filled.plain)
    let expected = try M(serializedBytes: filled.masked)
    #expect(!original.isEqualTo(message: expected), "\(name): filling set no personal field")
    // Messages are compared by the generated equality, which covers every field.
    func same(_ answered: [M], _ want: M) -> Bool {
      answered.count == 3 && answered.allSatisfy { $0.isEqualTo(message: want) }
    }
    for role in Role.allCases {
      let principal = Principal(accountID: 1, login: "x", unitID: 1, unitCode: "QH", unitPath: "/QH/", roles: [role])
      let answered = try await Self.answer(original, to: principal)
      let sees = Self.rolesSeeingPersonalData.contains(role) || (role == .mediator && Self.messagesMediatorsSee.contains(name))
      let want = sees ? original : expected
      #expect(same(answered, want), "\(name) as \(role)")
    }
    #expect(same(try await Self.answer(original, to: nil), expected), "\(name) without a caller")
  }

  /// What `PersonalDataInterceptor` lets out of a handler that writes `message` three times
  /// (once alone, twice as a sequence) to a caller `principal`.
  static func answer<M: SwiftProtobuf.Message & Sendable>(_ message: M, to principal: Principal?) async throws -> [M] {
    let collected = Collector<M>()
    let context = RequestContext(method: "test/Masking", requestID: "test", principal: principal)
    try await RequestContext.$current.withValue(context) {
      try await withServerContextRPCCancellationHandle { handle in
        let serverContext = ServerContext(
          descriptor: MethodDescriptor(fullyQualifiedService: "test", method: "Masking"),
          remotePeer: "in-process",
          localPeer: "in-process",
          cancellation: handle
        )
        let response: StreamingServerResponse<M> = try await PersonalDataInterceptor().intercept(
          request: StreamingServerRequest(single: ServerRequest(metadata: [:], message: Civicgrid_V1_Empty())),
          context: serverContext
        ) { _, _ in
          StreamingServerResponse(of: M.self) { writer in
            try await writer.write(message)
            try await writer.write(contentsOf: [message, message])
            return [:]
          }
        }
        let contents = try response.accepted.get()
        _ = try await contents.producer(RPCWriter(wrapping: collected))
      }
    }
    return collected.messages
  }

  final class Collector<M: Sendable>: RPCWriterProtocol, Sendable {
    private let storage = Mutex<[M]>([])
    var messages: [M] { self.storage.withLock { $0 } }
    func write(_ element: M) async throws { self.storage.withLock { $0.append(element) } }
    func write(contentsOf elements: some Sequence<M>) async throws {
      let elements = Array(elements)
      self.storage.withLock { $0.append(contentsOf: elements) }
    }
  }

  @Test("every field named like personal data in Protos/ is marked (civicgrid.v1.personal)")
  func namesAreMarked() throws {
    let descriptors = try Descriptors()
    let personalNames = ["id_number", "id_card", "phone", "mobile", "address", "email", "birth"]
    var unmarked: [String] = []
    for (name, message) in descriptors.messages where name.hasPrefix("civicgrid.") {
      for field in message.field where personalNames.contains(where: field.name.contains) {
        if !field.options.hasCivicgrid_V1_personal { unmarked.append("\(name).\(field.name)") }
      }
    }
    #expect(unmarked.isEmpty, "unmarked: \(unmarked.sorted())")
  }
}
