import Foundation
public import SwiftProtobuf

/// The rule every string of every request obeys before a handler sees it: PostgreSQL text
/// cannot hold U+0000 (libpq would cut the value there), control characters other than tab,
/// line feed and carriage return have no place in any field, and no field is longer than
/// `maxBytes`. Invalid UTF-8 never gets this far: the protobuf decoder refuses it.
///
/// Fields have tighter rules of their own (codes, free text): this is the floor under them,
/// applied in one place so a new RPC cannot miss it.
public enum RequestStrings {
  /// The longest string any request field may hold, in UTF-8 bytes.
  public static let maxBytes = 65_536

  /// What is wrong with `value`, or nil.
  public static func problem(_ value: String) -> String? {
    if value.utf8.count > Self.maxBytes { return "is longer than \(Self.maxBytes) bytes" }
    // Control characters are single bytes in UTF-8 (no byte of a longer sequence is below 0x80).
    for byte in value.utf8 where byte < 0x20 || byte == 0x7F {
      switch byte {
      case UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
      case 0: return "contains a NUL character"
      default: return "contains the control character U+\(String(format: "%04X", byte))"
      }
    }
    return nil
  }

  /// The first offending string field of `message` as (field path, problem), or nil.
  /// The field path uses the proto field names (`applicant.id_number`, `materials[2]`).
  public static func violation<M: Message>(in message: M) -> (field: String, problem: String)? {
    var inspector = Inspector(type: M.self, prefix: "")
    try? message.traverse(visitor: &inspector)
    return inspector.found
  }

  /// The proto name of field `number` of `type`, from the generated name map.
  static func protoName(of type: any Message.Type, _ number: Int) -> String? {
    guard let named = type as? any (Message & _ProtoNameProviding).Type else { return nil }
    return Self.protoName(named, number)
  }

  private static func protoName<M: Message & _ProtoNameProviding>(_ type: M.Type, _ number: Int) -> String? {
    (try? Google_Protobuf_FieldMask(fieldNumbers: [number], of: type))?.paths.first
  }

  /// Visits every string of a message, nested messages and maps included, and keeps the
  /// first problem with the path of proto field names that leads to it.
  struct Inspector: Visitor {
    let type: any Message.Type
    let prefix: String
    var found: (field: String, problem: String)?

    init(type: any Message.Type, prefix: String) {
      self.type = type
      self.prefix = prefix
    }

    func path(_ number: Int, _ index: String? = nil) -> String {
      let name = (RequestStrings.protoName(of: self.type, number) ?? "field \(number)") + (index.map { "[\($0)]" } ?? "")
      return self.prefix.isEmpty ? name : "\(self.prefix).\(name)"
    }

    mutating func check(_ value: String, _ number: Int, _ index: String? = nil) {
      guard self.found == nil, let problem = RequestStrings.problem(value) else { return }
      self.found = (self.path(number, index), problem)
    }

    mutating func descend<M: Message>(_ message: M, _ path: String) throws {
      guard self.found == nil else { return }
      var inner = Inspector(type: M.self, prefix: path)
      try message.traverse(visitor: &inner)
      self.found = inner.found
    }

    mutating func visitSingularStringField(value: String, fieldNumber: Int) throws { self.check(value, fieldNumber) }
    mutating func visitRepeatedStringField(value: [String], fieldNumber: Int) throws {
      for (index, element) in value.enumerated() { self.check(element, fieldNumber, "\(index)") }
    }
    mutating func visitSingularMessageField<M: Message>(value: M, fieldNumber: Int) throws {
      try self.descend(value, self.path(fieldNumber))
    }
    mutating func visitRepeatedMessageField<M: Message>(value: [M], fieldNumber: Int) throws {
      for (index, element) in value.enumerated() { try self.descend(element, self.path(fieldNumber, "\(index)")) }
    }
    mutating func visitSingularGroupField<G: Message>(value: G, fieldNumber: Int) throws {
      try self.descend(value, self.path(fieldNumber))
    }
    mutating func visitMapField<KeyType, ValueType: MapValueType>(
      fieldType: _ProtobufMap<KeyType, ValueType>.Type,
      value: _ProtobufMap<KeyType, ValueType>.BaseType,
      fieldNumber: Int
    ) throws {
      for (key, element) in value {
        if let key = key as? String { self.check(key, fieldNumber, "key") }
        if let element = element as? String { self.check(element, fieldNumber, "\(key)") }
      }
    }
    mutating func visitMapField<KeyType, ValueType>(
      fieldType: _ProtobufEnumMap<KeyType, ValueType>.Type,
      value: _ProtobufEnumMap<KeyType, ValueType>.BaseType,
      fieldNumber: Int
    ) throws where ValueType.RawValue == Int {
      for key in value.keys { if let key = key as? String { self.check(key, fieldNumber, "key") } }
    }
    mutating func visitMapField<KeyType, ValueType>(
      fieldType: _ProtobufMessageMap<KeyType, ValueType>.Type,
      value: _ProtobufMessageMap<KeyType, ValueType>.BaseType,
      fieldNumber: Int
    ) throws {
      for (key, element) in value {
        if let key = key as? String { self.check(key, fieldNumber, "key") }
        try self.descend(element, self.path(fieldNumber, "\(key)"))
      }
    }

    // Numbers, booleans, bytes, enums and unknown fields carry no text.
    mutating func visitSingularDoubleField(value: Double, fieldNumber: Int) throws {}
    mutating func visitSingularInt64Field(value: Int64, fieldNumber: Int) throws {}
    mutating func visitSingularUInt64Field(value: UInt64, fieldNumber: Int) throws {}
    mutating func visitSingularBoolField(value: Bool, fieldNumber: Int) throws {}
    mutating func visitSingularBytesField(value: Data, fieldNumber: Int) throws {}
    mutating func visitSingularEnumField<E: Enum>(value: E, fieldNumber: Int) throws {}
    mutating func visitUnknown(bytes: Data) throws {}
  }
}
