import CivicProtos
import CivicServices
import CivicTestSupport
import Foundation
import SwiftProtobuf

/// The shape of every request message in Protos/, read from the descriptor set protoc writes
/// (protoc comes from the OS package ops/test installs), so tests can build requests field
/// by field for every method of the generated `MethodRegistry` without naming any.
struct RequestSchema: Sendable {
  /// Messages by full name without the leading dot (`civicgrid.v1.ListCasesRequest`).
  let messages: [String: Google_Protobuf_DescriptorProto]

  static func load() throws -> RequestSchema {
    let protos = Binaries.packageRoot.appendingPathComponent("Protos")
    var files: [String] = []
    let enumerator = FileManager.default.enumerator(atPath: protos.path)
    while let path = enumerator?.nextObject() as? String {
      if path.hasSuffix(".proto") { files.append(path) }
    }
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("civic-schema-\(UUID().uuidString).binpb")
    defer { try? FileManager.default.removeItem(at: output) }
    let result = try Binaries.run(
      URL(fileURLWithPath: "/usr/bin/env"),
      ["protoc", "-I", protos.path, "--include_imports", "--descriptor_set_out=\(output.path)"] + files.sorted()
    )
    guard result.status == 0 else { throw SchemaError(message: "protoc failed: \(result.stderr)") }
    let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: try Data(contentsOf: output))
    return RequestSchema(messages: set.messagesByFullName)
  }

  struct SchemaError: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
  }

  /// A path from a request message down to one scalar field, through message fields.
  struct FieldPath: Sendable, CustomStringConvertible {
    var steps: [Google_Protobuf_FieldDescriptorProto]
    var leaf: Google_Protobuf_FieldDescriptorProto { self.steps.last! }
    var description: String { self.steps.map(\.name).joined(separator: ".") }
  }

  /// Every scalar field reachable from `message`, through nested messages up to `depth`
  /// levels (recursive types are entered once).
  func leaves(of message: String, depth: Int = 4, visiting: Set<String> = []) -> [FieldPath] {
    guard depth > 0, let descriptor = self.messages[message], !visiting.contains(message) else { return [] }
    var paths: [FieldPath] = []
    for field in descriptor.field {
      if field.type == .message {
        let nested = String(field.typeName.drop(while: { $0 == "." }))
        for inner in self.leaves(of: nested, depth: depth - 1, visiting: visiting.union([message])) {
          paths.append(FieldPath(steps: [field] + inner.steps))
        }
      } else if field.type != .group {
        paths.append(FieldPath(steps: [field]))
      }
    }
    return paths
  }

  /// Values that pass the usual checks, by field name: a request made of them gets past
  /// validation to the handler's real work, where a value under test then matters.
  static let plausibleText: [String: String] = [
    "name": "Test Person", "display_name": "Test Person", "id_number": "110101195001011234", "phone": "13800138000",
    "address": "1 Heping Road", "opinion": "checked", "note": "checked", "reason": "checked", "reply": "checked",
    "report": "checked", "title": "checked", "requirement": "checked", "body": "checked", "comment": "checked",
    "label": "test", "materials": "id-card", "provided_materials": "id-card", "item_code": "QH-CA-001",
    "unit_code": "QH-GSC", "centre_code": "QH-GSC", "to_unit_code": "QH-S1-C1", "jurisdiction": "CN",
    "period": "2026-Q1", "date": "2026-12-07", "preferred_date": "2026-12-07", "login": "clerk", "code": "QH-S1-C1",
    "idempotency_key": "plausible-1", "case_id": "C00000001", "order_id": "C00000001", "rectification_id": "C00000001",
  ]
  static let plausibleCounts: Set<String> = [
    "expected_version", "task", "working_days", "reply_working_days", "version", "expected_item_version",
  ]

  /// Plausible values (`plausibleText`, counts of 1, enums' first value, timestamps in
  /// 2026) for every field of `message` that has one, one level of nested messages deep,
  /// leaving out the top-level field `excluded`.
  func plausibleRequest(of message: String, excluding excluded: String? = nil) -> [UInt8] {
    var bytes: [UInt8] = []
    for path in self.leaves(of: message, depth: 2) where path.steps[0].name != excluded {
      let leaf = path.leaf
      let isTimestamp = path.steps.count == 2 && path.steps[0].typeName == ".google.protobuf.Timestamp"
      let value: ProtoValue?
      switch leaf.type {
      case .enum: value = .varint(1, "1")
      case .int32, .int64:
        if isTimestamp {
          value = leaf.name == "seconds" ? .varint(1_790_000_000, "2026") : nil
        } else {
          value = Self.plausibleCounts.contains(leaf.name) ? .varint(1, "1") : nil
        }
      case .string: value = Self.plausibleText[leaf.name].map { .lengthDelimited(Array($0.utf8), $0) }
      default: value = nil
      }
      if let value { bytes += Self.request(setting: path, to: value) }
    }
    return bytes
  }

  /// A request holding only `payload` (the leaf's encoded value, without its tag) at `path`.
  static func request(setting path: FieldPath, to payload: ProtoValue) -> [UInt8] {
    var bytes = ProtoWire.tag(path.leaf.number, payload.wireType) + payload.bytes
    for step in path.steps.dropLast().reversed() {
      bytes = ProtoWire.tag(step.number, 2) + ProtoWire.varint(UInt64(bytes.count)) + bytes
    }
    return bytes
  }
}

/// One encoded field value and its wire type.
struct ProtoValue: Sendable, CustomStringConvertible {
  var wireType: UInt8
  var bytes: [UInt8]
  var label: String
  var description: String { self.label }

  static func varint(_ value: UInt64, _ label: String) -> ProtoValue { ProtoValue(wireType: 0, bytes: ProtoWire.varint(value), label: label) }
  static func fixed64(_ value: UInt64, _ label: String) -> ProtoValue {
    ProtoValue(wireType: 1, bytes: withUnsafeBytes(of: value.littleEndian, Array.init), label: label)
  }
  static func fixed32(_ value: UInt32, _ label: String) -> ProtoValue {
    ProtoValue(wireType: 5, bytes: withUnsafeBytes(of: value.littleEndian, Array.init), label: label)
  }
  static func lengthDelimited(_ value: [UInt8], _ label: String) -> ProtoValue {
    ProtoValue(wireType: 2, bytes: ProtoWire.varint(UInt64(value.count)) + value, label: label)
  }

  /// The extremes of a numeric field's type: 0, −1, min and max of 32 and 64 bits, and for
  /// floating point NaN and ±∞. Nil for strings and bytes.
  static func extremes(for type: Google_Protobuf_FieldDescriptorProto.TypeEnum) -> [ProtoValue]? {
    let integers: [(Int64, String)] = [
      (0, "0"), (-1, "-1"), (Int64(Int32.min), "Int32.min"), (Int64(Int32.max), "Int32.max"), (Int64.min, "Int64.min"),
      (Int64.max, "Int64.max"),
    ]
    switch type {
    case .int32, .int64, .uint32, .uint64, .enum, .bool:
      return integers.map { .varint(UInt64(bitPattern: $0.0), $0.1) }
    case .sint32, .sint64:
      return integers.map { .varint(UInt64(bitPattern: ($0.0 << 1) ^ ($0.0 >> 63)), $0.1) }
    case .fixed64, .sfixed64:
      return integers.map { .fixed64(UInt64(bitPattern: $0.0), $0.1) }
    case .fixed32, .sfixed32:
      return integers.map { .fixed32(UInt32(truncatingIfNeeded: $0.0), $0.1) }
    case .double:
      let doubles: [Double] = [0, -1, .nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
      return doubles.map { .fixed64($0.bitPattern, "\($0)") }
    case .float:
      let floats: [Float] = [0, -1, .nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
      return floats.map { .fixed32($0.bitPattern, "\($0)") }
    default:
      return nil
    }
  }

  /// Strings no request may carry: NUL, another control character, invalid UTF-8 and 1 MB.
  static let hostileStrings: [ProtoValue] = [
    .lengthDelimited(Array("QH-SO1\0zz".utf8), "NUL"),
    .lengthDelimited(Array("a\u{1B}[2Jb".utf8), "ESC"),
    .lengthDelimited([0x51, 0x48, 0xFF, 0xFE], "invalid UTF-8"),
    .lengthDelimited(Array(repeating: UInt8(ascii: "a"), count: 1 << 20), "1 MB"),
  ]
}

enum ProtoWire {
  static func varint(_ value: UInt64) -> [UInt8] {
    var value = value
    var bytes: [UInt8] = []
    repeat {
      var byte = UInt8(value & 0x7F)
      value >>= 7
      if value != 0 { byte |= 0x80 }
      bytes.append(byte)
    } while value != 0
    return bytes
  }

  static func tag(_ number: Int32, _ wireType: UInt8) -> [UInt8] { varint(UInt64(number) << 3 | UInt64(wireType)) }
}
