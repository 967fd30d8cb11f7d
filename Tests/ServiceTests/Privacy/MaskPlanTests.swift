import CivicDomain
import CivicProtos
import CivicServices
import GRPCCore
import SwiftProtobuf
import Testing

/// The masking rule, the plan built from descriptors and the wire rewriting, pure: no
/// sockets, no database.
@Suite("Personal data masking, pure", .timeLimit(.minutes(1)))
struct MaskPlanTests {
  @Test(
    "mask by kind",
    arguments: [
      ("110101195001011234", Civicgrid_V1_PersonalData.idNumber, "110***********1234"),
      ("11010119500101123X", .idNumber, "110***********123X"),
      ("13800138000", .phone, "138****8000"),
      ("+8613800138000", .phone, "+86*******8000"),
      ("12345678", .phone, "123*5678"),
      ("1234567", .phone, "*******"),
      ("123", .idNumber, "***"),
      ("", .idNumber, ""),
      ("", .address, ""),
      ("１３８００１３８０００", .phone, "１３８****８０００"),
      ("🇨🇳13800138000👍🏽", .phone, "🇨🇳13******000👍🏽"),
      ("北京市东城区东四北大街 3 号楼", .address, "***"),
      ("Building 3, Room 402", .address, "***"),
      ("1953-03-15", .birthDate, "1953-**-**"),
      ("1953", .birthDate, "****"),
    ]
  )
  func maskByKind(value: String, kind: Civicgrid_V1_PersonalData, expected: String) {
    #expect(PersonalDataMask.mask(value, as: kind) == expected)
  }

  @Test("clerks and handlers see personal data in full; every other role, and no caller, sees it masked")
  func whoSees() {
    let full: Set<Role> = [.clerk, .handler]
    for role in Role.allCases {
      #expect(PersonalDataAccess.seesPersonalData(Self.principal([role])) == full.contains(role), "\(role)")
    }
    #expect(PersonalDataAccess.seesPersonalData(Self.principal([.admin, .clerk])))
    #expect(!PersonalDataAccess.seesPersonalData(Self.principal([.admin, .supervisor, .auditor, .partner])))
    #expect(!PersonalDataAccess.seesPersonalData(nil))
  }

  @Test("the table: mediators see parties in full in the Disputes service's answers only")
  func perRole() {
    let mediator = Self.principal([.mediator])
    for message in ["civicgrid.v1.Dispute", "civicgrid.v1.ListDisputesResponse", "civicgrid.v1.Agenda"] {
      #expect(PersonalDataAccess.seesPersonalData(mediator, in: message), "\(message)")
      #expect(!PersonalDataAccess.seesPersonalData(Self.principal([.gridWorker, .supervisor, .auditor, .admin]), in: message))
      #expect(PersonalDataAccess.seesPersonalData(Self.principal([.clerk]), in: message))
    }
    #expect(!PersonalDataAccess.seesPersonalData(mediator, in: "civicgrid.v1.Case"))
    #expect(!PersonalDataAccess.seesPersonalData(mediator, in: "civicgrid.v1.CitizenRequest"))
    #expect(!PersonalDataAccess.seesPersonalData(mediator))
    #expect(PersonalDataAccess.fullAccessRoles == [.clerk, .handler])
  }

  @Test(
    "a search value shaped like an ID number is refused with PERMISSION_DENIED naming the field",
    arguments: ["110101195001011234", "11010119500101123X", "11010119500101123x", " 110101195001011234\n", "110101500101123"]
  )
  func idNumberSearchRefused(value: String) {
    #expect(throws: DomainError.self) { try PersonalDataAccess.refuseIDNumberSearch(value, field: "applicant") }
    do {
      try PersonalDataAccess.refuseIDNumberSearch(value, field: "applicant")
    } catch {
      // As the RPC layer answers it.
      let status = RPCError(error)
      #expect(status.code == .permissionDenied)
      #expect(status.message.hasPrefix("applicant: "))
    }
  }

  @Test(
    "names and other values are not refused",
    arguments: ["张秀英", "Zhang Xiuying", "1234", "110***********1234", "X10101195001011234", ""]
  )
  func otherSearchesPass(value: String) throws {
    try PersonalDataAccess.refuseIDNumberSearch(value, field: "applicant")
  }

  static func principal(_ roles: Set<Role>) -> Principal {
    Principal(accountID: 1, login: "someone", unitID: 1, unitCode: "QH", unitPath: "/QH/", roles: roles)
  }

  // MARK: - The plan

  @Test("the bundled plan: applicants of cases, appointments and visits, and the messages that lead to them")
  func bundledPlan() {
    let plan = MaskPlan.bundled
    #expect(plan.messages["civicgrid.v1.Applicant"] == [2: .mask(.idNumber), 3: .mask(.phone)])
    #expect(plan.messages["civicgrid.v1.AppointmentApplicant"] == [2: .mask(.idNumber), 3: .mask(.phone)])
    #expect(plan.messages["civicgrid.v1.HomeVisit"] == [4: .descend("civicgrid.v1.AppointmentApplicant"), 5: .mask(.address)])
    #expect(plan.messages["civicgrid.v1.RequestHomeVisitRequest"]?[4] == .mask(.address))
    #expect(plan.messages["civicgrid.v1.Appointment"] == [5: .descend("civicgrid.v1.AppointmentApplicant")])
    #expect(plan.messages["civicgrid.v1.Case"] == [7: .descend("civicgrid.v1.Applicant")])
    #expect(plan.messages["civicgrid.v1.ListCasesResponse"] == [1: .descend("civicgrid.v1.Case")])
    #expect(plan.messages["civicgrid.v1.FieldEvent"]?[6] == .mask(.address))
    #expect(plan.messages["civicgrid.v1.FieldEvent"]?[7] == .drop)
    #expect(plan.messages["civicgrid.v1.FieldEvent"]?[2] == .descend("civicgrid.v1.Case"))
    #expect(plan.messages["civicgrid.v1.RepeatLocation"] == [2: .mask(.address)])
    #expect(!plan.leadsToPersonalData("civicgrid.v1.GeoPoint"))
    #expect(!plan.leadsToPersonalData("civicgrid.v1.Unit"))
    #expect(!plan.leadsToPersonalData("civicgrid.v1.CaseEvent"))
    #expect(!plan.leadsToPersonalData("google.protobuf.Timestamp"))
  }

  /// package t: Person (marked fields), Holder (nested, repeated, map, recursion), Plain and
  /// Loop (no personal data, Loop recursive).
  static func testDescriptors(extraPersonField: Google_Protobuf_FieldDescriptorProto? = nil) -> Google_Protobuf_FileDescriptorSet {
    typealias F = Google_Protobuf_FieldDescriptorProto
    func field(
      _ name: String,
      _ number: Int32,
      _ type: F.TypeEnum,
      _ typeName: String = "",
      repeated: Bool = false,
      personal: Civicgrid_V1_PersonalData? = nil
    ) -> F {
      var f = F()
      f.name = name
      f.number = number
      f.type = type
      f.label = repeated ? .repeated : .optional
      if !typeName.isEmpty { f.typeName = typeName }
      if let personal { f.options.Civicgrid_V1_personal = personal }
      return f
    }
    func message(_ name: String, _ fields: [F], nested: [Google_Protobuf_DescriptorProto] = [], mapEntry: Bool = false)
      -> Google_Protobuf_DescriptorProto
    {
      var m = Google_Protobuf_DescriptorProto()
      m.name = name
      m.field = fields
      m.nestedType = nested
      if mapEntry { m.options.mapEntry = true }
      return m
    }
    var file = Google_Protobuf_FileDescriptorProto()
    file.name = "t.proto"
    file.package = "t"
    file.syntax = "proto3"
    file.messageType = [
      message(
        "Person",
        [
          field("name", 1, .string), field("id", 2, .string, personal: .idNumber), field("phone", 3, .string, personal: .phone),
          field("phones", 4, .string, repeated: true, personal: .phone), field("n", 5, .int64),
          field("addr", 6, .string, personal: .address), field("at", 7, .message, ".t.Plain", personal: .point),
        ] + (extraPersonField.map { [$0] } ?? [])
      ),
      message(
        "Holder",
        [
          field("one", 1, .message, ".t.Person"), field("many", 2, .message, ".t.Person", repeated: true),
          field("by_key", 3, .message, ".t.Holder.ByKeyEntry", repeated: true), field("next", 4, .message, ".t.Holder"),
          field("note", 5, .string), field("plain", 6, .message, ".t.Plain"),
        ],
        nested: [message("ByKeyEntry", [field("key", 1, .string), field("value", 2, .message, ".t.Person")], mapEntry: true)]
      ),
      message("Plain", [field("text", 1, .string)]),
      message("Loop", [field("next", 1, .message, ".t.Loop"), field("s", 2, .string)]),
    ]
    var set = Google_Protobuf_FileDescriptorSet()
    set.file = [file]
    return set
  }

  @Test("the plan follows nested, repeated, map and recursive fields, and leaves out what leads nowhere")
  func planShape() throws {
    let plan = try MaskPlan(descriptors: Self.testDescriptors())
    #expect(plan.messages["t.Person"] == [2: .mask(.idNumber), 3: .mask(.phone), 4: .mask(.phone), 6: .mask(.address), 7: .drop])
    #expect(
      plan.messages["t.Holder"] == [
        1: .descend("t.Person"), 2: .descend("t.Person"), 3: .descend("t.Holder.ByKeyEntry"), 4: .descend("t.Holder"),
      ]
    )
    #expect(plan.messages["t.Holder.ByKeyEntry"] == [2: .descend("t.Person")])
    #expect(plan.messages["t.Plain"] == nil && plan.messages["t.Loop"] == nil)
  }

  @Test("a marked field that is not a string (but a point message), a point that is not a message, or UNSPECIFIED, is refused when the plan is built")
  func invalidMarks() {
    var number = Google_Protobuf_FieldDescriptorProto()
    number.name = "age"
    number.number = 9
    number.type = .int32
    number.options.Civicgrid_V1_personal = .idNumber
    #expect(throws: MaskPlan.InvalidDescriptors.self) { try MaskPlan(descriptors: Self.testDescriptors(extraPersonField: number)) }
    var unspecified = number
    unspecified.type = .string
    unspecified.options.Civicgrid_V1_personal = .unspecified
    #expect(throws: MaskPlan.InvalidDescriptors.self) { try MaskPlan(descriptors: Self.testDescriptors(extraPersonField: unspecified)) }
    var pointString = number
    pointString.type = .string
    pointString.options.Civicgrid_V1_personal = .point
    #expect(throws: MaskPlan.InvalidDescriptors.self) { try MaskPlan(descriptors: Self.testDescriptors(extraPersonField: pointString)) }
    var addressMessage = number
    addressMessage.type = .message
    addressMessage.typeName = ".t.Plain"
    addressMessage.options.Civicgrid_V1_personal = .address
    #expect(throws: MaskPlan.InvalidDescriptors.self) { try MaskPlan(descriptors: Self.testDescriptors(extraPersonField: addressMessage)) }
  }

  // MARK: - Wire rewriting

  /// A protobuf wire-format writer for building inputs and expectations by hand.
  struct Wire {
    var bytes: [UInt8] = []
    mutating func varint(_ value: UInt64) {
      var value = value
      while value >= 0x80 {
        self.bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
        value >>= 7
      }
      self.bytes.append(UInt8(value))
    }
    mutating func tag(_ number: UInt64, _ wireType: UInt64) { self.varint(number << 3 | wireType) }
    mutating func delimited(_ number: UInt64, _ value: [UInt8]) {
      self.tag(number, 2)
      self.varint(UInt64(value.count))
      self.bytes += value
    }
    mutating func string(_ number: UInt64, _ value: String) { self.delimited(number, Array(value.utf8)) }
    mutating func message(_ number: UInt64, _ build: (inout Wire) -> Void) {
      var inner = Wire()
      build(&inner)
      self.delimited(number, inner.bytes)
    }
    static func build(_ body: (inout Wire) -> Void) -> [UInt8] {
      var wire = Wire()
      body(&wire)
      return wire.bytes
    }
  }

  /// A person's fields; `masked` writes what the masking step must turn them into.
  static func person(_ w: inout Wire, masked: Bool, id: String = "110101195001011234") {
    w.string(1, "Zhang San")
    w.string(2, masked ? PersonalDataMask.mask(id, as: .idNumber) : id)
    w.tag(5, 0)
    w.varint(42)
    w.string(3, masked ? "138****8000" : "13800138000")
    w.string(4, masked ? "139****9000" : "13900139000")
    w.string(4, masked ? "" : "")
    w.string(4, masked ? "１３８****８０００" : "１３８００１３８０００")
    w.string(6, masked ? "***" : "北京市东城区东四北大街")
    if !masked { w.message(7) { $0.string(1, "39.9042,116.4074") } }  // a point: left out whole
  }

  @Test("nested, repeated, map and recursive fields are masked; everything else is copied byte for byte")
  func rewriteNested() throws {
    let plan = try MaskPlan(descriptors: Self.testDescriptors())
    func holder(masked: Bool) -> [UInt8] {
      Wire.build { w in
        w.string(5, "note 110101195001011234 stays")  // not marked: kept
        w.message(1) { Self.person(&$0, masked: masked) }
        w.message(2) { Self.person(&$0, masked: masked, id: "22020219600202222X") }
        w.message(2) { _ in }  // an empty person
        w.message(3) { e in
          e.string(1, "13800138000")  // a map key is not marked: kept
          e.message(2) { Self.person(&$0, masked: masked) }
        }
        w.message(6) { $0.string(1, "13800138000") }  // Plain: kept
        w.message(4) { next in
          next.message(4) { deeper in deeper.message(1) { Self.person(&$0, masked: masked) } }
        }
      }
    }
    #expect(try plan.mask(holder(masked: false), as: "t.Holder") == holder(masked: true))
    #expect(try plan.mask(holder(masked: false), as: "t.Plain") == holder(masked: false))  // a type without personal data
  }

  @Test("unknown fields of every wire type, groups included, are copied verbatim")
  func unknownFieldsKept() throws {
    let plan = try MaskPlan(descriptors: Self.testDescriptors())
    func person(masked: Bool) -> [UInt8] {
      Wire.build { w in
        w.string(99, "110101195001011234")  // unknown length-delimited: not ours to judge
        w.tag(100, 0)
        w.varint(UInt64.max)
        w.tag(101, 1)
        w.bytes += [1, 2, 3, 4, 5, 6, 7, 8]
        w.tag(102, 5)
        w.bytes += [9, 8, 7, 6]
        w.tag(103, 3)  // a group holding a field numbered like a marked one
        w.string(2, "110101195001011234")
        w.tag(103, 4)
        w.string(2, masked ? "110***********1234" : "110101195001011234")
      }
    }
    #expect(try plan.mask(person(masked: false), as: "t.Person") == person(masked: true))
  }

  @Test("empty values stay empty, invalid UTF-8 is masked too, an empty message stays empty")
  func edgeValues() throws {
    let plan = try MaskPlan(descriptors: Self.testDescriptors())
    let empty = Wire.build {
      $0.string(2, ""); $0.string(6, "")
    }
    #expect(try plan.mask(empty, as: "t.Person") == empty)
    #expect(try plan.mask([], as: "t.Person") == [])
    let invalid = Wire.build { $0.delimited(2, [0xff, 0xfe, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0xc3]) }
    let masked = try plan.mask(invalid, as: "t.Person")
    #expect(masked == Wire.build { $0.string(2, "\u{FFFD}\u{FFFD}1****678\u{FFFD}") })
  }

  @Test(
    "malformed input throws instead of trapping",
    arguments: [[0x12, 0x05, 0x31], [0x80], [0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], [0x0f], [0x00, 0x01]]
      as [[UInt8]]
  )
  func malformed(bytes: [UInt8]) throws {
    let plan = try MaskPlan(descriptors: Self.testDescriptors())
    #expect(throws: MaskPlan.MalformedMessage.self) { try plan.mask(bytes, as: "t.Person") }
  }

  @Test("a generated message keeps its unknown fields and every other field through masking")
  func typedMessage() throws {
    var original = Civicgrid_V1_ListCasesResponse()
    var first = Civicgrid_V1_Case()
    first.id = "C00000001"
    first.applicant.name = "张秀英"
    first.applicant.idNumber = "110101195001011234"
    first.applicant.phone = "13800138000"
    first.timeline = [
      .with {
        $0.summary = "submitted"; $0.sequence = 1
      }
    ]
    original.cases = [first, first]
    original.nextPageToken = "1"
    var bytes: [UInt8] = try original.serializedBytes()
    bytes += Wire.build { $0.string(999, "future field") }
    let withUnknown = try Civicgrid_V1_ListCasesResponse(serializedBytes: bytes)

    let masked = try MaskPlan.bundled.mask(withUnknown)
    var expected = withUnknown
    for index in expected.cases.indices {
      expected.cases[index].applicant.idNumber = "110***********1234"
      expected.cases[index].applicant.phone = "138****8000"
    }
    #expect(masked == expected)
    #expect(masked.unknownFields.data == withUnknown.unknownFields.data && !masked.unknownFields.data.isEmpty)
    #expect(try MaskPlan.bundled.mask(Civicgrid_V1_Unit.with { $0.code = "QH" }) == Civicgrid_V1_Unit.with { $0.code = "QH" })
  }
}
