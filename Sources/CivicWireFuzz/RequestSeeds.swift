import CivicProtos
import CivicServices
import Foundation
import SwiftProtobuf

/// The seed corpus of the `requests` target (Fuzz/corpus/requests): for every rpc, a valid
/// request with every field set, built from the bundled descriptors so a new rpc gets its
/// seed when the corpus is written again (`CivicWireFuzz write-request-seeds DIR`).
/// Strings are "seed", numbers 1, nested messages filled to a depth of four.
struct RequestSeeds {
  private let messages: [String: Google_Protobuf_DescriptorProto]

  init() throws {
    let set = try Google_Protobuf_FileDescriptorSet(serializedBytes: try ProtoDescriptors.serializedFileDescriptorSet())
    self.messages = set.messagesByFullName
  }

  /// (file name, fuzz input) for every rpc; the request decoded and encoded again, so the
  /// seed is exactly what a client would send.
  func inputs() throws -> [(name: String, input: [UInt8])] {
    try RequestFuzzInput.methods.map { method in
      let entry = MethodRegistry.entries[method]!
      let filled = self.sample(entry.input.protoMessageName, depth: 0)
      let body: [UInt8] = try entry.input.init(serializedBytes: filled).serializedBytes()
      return (method.replacingOccurrences(of: "/", with: "-"), RequestFuzzInput.encode(method: method, body: body))
    }
  }

  /// The message `typeName` ("package.Message", a leading dot allowed) with every field set,
  /// in protobuf wire format.
  private func sample(_ typeName: String, depth: Int) -> [UInt8] {
    let name = typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    guard depth < 4, let message = self.messages[name] else { return [] }
    var out: [UInt8] = []
    for field in message.field {
      let number = UInt64(field.number)
      switch field.type {
      case .string, .bytes:
        Self.appendVarint(number << 3 | 2, to: &out)
        Self.appendVarint(4, to: &out)
        out += Array("seed".utf8)
      case .bool, .int32, .int64, .uint32, .uint64, .enum:
        Self.appendVarint(number << 3, to: &out)
        Self.appendVarint(1, to: &out)
      case .sint32, .sint64:
        Self.appendVarint(number << 3, to: &out)
        Self.appendVarint(2, to: &out)  // zigzag 1
      case .fixed32, .sfixed32, .float:
        Self.appendVarint(number << 3 | 5, to: &out)
        let bits = field.type == .float ? Float(1).bitPattern : 1
        out += withUnsafeBytes(of: bits.littleEndian, Array.init)
      case .fixed64, .sfixed64, .double:
        Self.appendVarint(number << 3 | 1, to: &out)
        let bits = field.type == .double ? Double(1).bitPattern : 1
        out += withUnsafeBytes(of: bits.littleEndian, Array.init)
      case .message:
        let nested = self.sample(field.typeName, depth: depth + 1)
        Self.appendVarint(number << 3 | 2, to: &out)
        Self.appendVarint(UInt64(nested.count), to: &out)
        out += nested
      case .group:
        continue  // proto3 has none
      }
    }
    return out
  }

  private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
      out.append(UInt8(value & 0x7F) | 0x80)
      value >>= 7
    }
    out.append(UInt8(value))
  }
}
