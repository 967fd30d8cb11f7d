public import SwiftProtobuf

extension MaskPlan {
  /// The binary encoding was not valid protobuf (it never happens for bytes swift-protobuf wrote).
  public struct MalformedMessage: Error, CustomStringConvertible {
    public var description: String { "a message could not be masked: its binary encoding is malformed" }
  }

  /// `message` with every personal value masked (and every personal point left out); the
  /// same message when its type holds none.
  ///
  /// The message is serialized, its wire format rewritten by the plan (`mask(_:as:)`) and
  /// decoded back, so every field the plan does not name, unknown fields included, comes
  /// back exactly as it was.
  public func mask<M: SwiftProtobuf.Message>(_ message: M) throws -> M {
    guard self.leadsToPersonalData(M.protoMessageName) else { return message }
    return try M(serializedBytes: try self.mask(try message.serializedBytes(), as: M.protoMessageName))
  }

  /// `value` with its personal data masked when it is a message that holds some, else `value`.
  public func mask<T>(any value: T) throws -> T {
    guard let message = value as? any SwiftProtobuf.Message else { return value }
    guard let masked = try self.mask(message) as? T else { throw MalformedMessage() }
    return masked
  }

  /// The binary encoding of a message named `messageName`, with every personal value masked.
  public func mask(_ bytes: [UInt8], as messageName: String) throws(MalformedMessage) -> [UInt8] {
    guard let fields = self.messages[messageName] else { return bytes }
    var output: [UInt8] = []
    output.reserveCapacity(bytes.count)
    try self.rewrite(bytes, bytes.startIndex..<bytes.endIndex, fields: fields, into: &output)
    return output
  }

  /// Copies the fields in `range` of `bytes` to `output`, masking and descending as `fields` say.
  private func rewrite(
    _ bytes: [UInt8],
    _ range: Range<Int>,
    fields: [Int32: Action],
    into output: inout [UInt8]
  ) throws(MalformedMessage) {
    var reader = WireReader(bytes: bytes, index: range.lowerBound, end: range.upperBound)
    while !reader.isAtEnd {
      let fieldStart = reader.index
      let tag = try reader.varint()
      let wireType = UInt8(truncatingIfNeeded: tag & 7)
      let number = tag >> 3
      guard number >= 1, number <= 536_870_911 else { throw MalformedMessage() }
      let action = fields[Int32(number)]
      if wireType == 2, let action {
        let length = try reader.varint()
        let value = try reader.take(length)
        // A dropped field is not written at all: the answer reads as if it was never set.
        if action == .drop { continue }
        WireWriter.varint(tag, into: &output)
        switch action {
        case .drop:
          break
        case .mask(let kind):
          let masked = PersonalDataMask.mask(String(decoding: bytes[value], as: UTF8.self), as: kind)
          WireWriter.varint(UInt64(masked.utf8.count), into: &output)
          output.append(contentsOf: masked.utf8)
        case .descend(let type):
          // Fields named in the plan always lead somewhere; a type the plan lacks is copied.
          guard let nested = self.messages[type] else {
            WireWriter.varint(length, into: &output)
            output.append(contentsOf: bytes[value])
            continue
          }
          var inner: [UInt8] = []
          inner.reserveCapacity(value.count)
          try self.rewrite(bytes, value, fields: nested, into: &inner)
          WireWriter.varint(UInt64(inner.count), into: &output)
          output.append(contentsOf: inner)
        }
      } else {
        try reader.skip(wireType: wireType, number: number)
        output.append(contentsOf: bytes[fieldStart..<reader.index])
      }
    }
  }
}

/// Reads the protobuf wire format within bounds, throwing instead of trapping on bad input.
private struct WireReader {
  let bytes: [UInt8]
  var index: Int
  let end: Int

  var isAtEnd: Bool { self.index >= self.end }

  mutating func varint() throws(MaskPlan.MalformedMessage) -> UInt64 {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while self.index < self.end, shift < 64 {
      let byte = self.bytes[self.index]
      self.index += 1
      value |= UInt64(byte & 0x7f) << shift
      if byte & 0x80 == 0 { return value }
      shift += 7
    }
    throw MaskPlan.MalformedMessage()
  }

  mutating func take(_ length: UInt64) throws(MaskPlan.MalformedMessage) -> Range<Int> {
    guard length <= UInt64(self.end - self.index) else { throw MaskPlan.MalformedMessage() }
    let range = self.index..<(self.index + Int(length))
    self.index = range.upperBound
    return range
  }

  /// Moves past the value of a field whose tag was just read; groups are skipped whole.
  mutating func skip(wireType: UInt8, number: UInt64) throws(MaskPlan.MalformedMessage) {
    switch wireType {
    case 0: _ = try self.varint()
    case 1: _ = try self.take(8)
    case 2: _ = try self.take(try self.varint())
    case 5: _ = try self.take(4)
    case 3:
      while true {
        let tag = try self.varint()
        if tag & 7 == 4 {
          guard tag >> 3 == number else { throw MaskPlan.MalformedMessage() }
          return
        }
        try self.skip(wireType: UInt8(truncatingIfNeeded: tag & 7), number: tag >> 3)
      }
    default: throw MaskPlan.MalformedMessage()
    }
  }
}

private enum WireWriter {
  static func varint(_ value: UInt64, into output: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
      output.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    output.append(UInt8(value))
  }
}
