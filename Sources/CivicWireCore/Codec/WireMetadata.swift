internal import CivicWireProtos
internal import GRPCCore

import struct Foundation.Data

/// Converts between gRPC `Metadata` and the wire's `MetadataEntry` list (section 4).
enum WireMetadata {
  /// The trailing-metadata key gRPC uses for rich status details; on the wire it travels
  /// in `Trailers.details` instead.
  static let statusDetailsKey = "grpc-status-details-bin"

  /// Encodes metadata, dropping reserved keys the protocol carries elsewhere.
  static func encode(_ metadata: Metadata) -> [Civicgrid_Wire_V1_MetadataEntry] {
    var entries: [Civicgrid_Wire_V1_MetadataEntry] = []
    entries.reserveCapacity(metadata.count)
    for (key, value) in metadata where !isReserved(key) {
      var entry = Civicgrid_Wire_V1_MetadataEntry()
      entry.key = key.lowercased()
      switch value {
      case .string(let string): entry.stringValue = string
      case .binary(let bytes): entry.binaryValue = Data(bytes)
      }
      entries.append(entry)
    }
    return entries
  }

  /// Decodes and validates received entries; a bad entry fails the carrying frame's stream.
  static func decode(_ entries: [Civicgrid_Wire_V1_MetadataEntry]) throws(RPCError) -> Metadata {
    var metadata = Metadata()
    metadata.reserveCapacity(entries.count)
    for entry in entries {
      let key = entry.key
      guard isValidKey(key) else {
        throw RPCError(code: .internalError, message: "invalid metadata key '\(key.prefix(64))'")
      }
      if isReserved(key) { continue }
      if key.hasSuffix("-bin") {
        guard case .binaryValue(let data)? = entry.value else {
          throw RPCError(code: .internalError, message: "metadata key '\(key)' must carry binary_value")
        }
        metadata.addBinary(Array(data), forKey: key)
      } else {
        guard case .stringValue(let string)? = entry.value else {
          throw RPCError(code: .internalError, message: "metadata key '\(key)' must carry string_value")
        }
        guard string.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
          throw RPCError(code: .internalError, message: "metadata value of '\(key)' is not printable ASCII")
        }
        metadata.addString(string, forKey: key)
      }
    }
    return metadata
  }

  static func isValidKey(_ key: String) -> Bool {
    let utf8 = key.utf8
    guard (1...255).contains(utf8.count) else { return false }
    return utf8.allSatisfy { byte in
      (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x5F || byte == 0x2E
    }
  }

  static func isReserved(_ key: String) -> Bool {
    key.hasPrefix("grpc-") || key.hasPrefix(":")
  }
}
