/// Appends fixed-width big-endian integers and length-prefixed UTF-8 text: the primitives of
/// the stored clock format (`CaseClocks.bytes`), chosen so that PostgreSQL can write the same
/// bytes with `int4send`, `int8send` and `convert_to` (migration 0012), and of the stored case
/// snapshot (`Case.storedBytes`).
struct StoredBytesWriter {
  private(set) var bytes: [UInt8] = []

  init(capacity: Int = 0) { self.bytes.reserveCapacity(capacity) }

  mutating func byte(_ value: UInt8) { self.bytes.append(value) }

  mutating func int32(_ value: Int) {
    let word = UInt32(truncatingIfNeeded: value)
    for shift in stride(from: 24, through: 0, by: -8) { self.bytes.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
  }

  mutating func int64(_ value: Int) {
    let word = UInt64(bitPattern: Int64(value))
    for shift in stride(from: 56, through: 0, by: -8) { self.bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
  }

  mutating func text(_ value: String) {
    let utf8 = value.utf8
    self.int32(utf8.count)
    self.bytes.append(contentsOf: utf8)
  }

  /// A presence byte (0 or 1), then the value when present.
  mutating func optional<T>(_ value: T?, _ write: (inout StoredBytesWriter, T) -> Void) {
    guard let value else { return self.byte(0) }
    self.byte(1)
    write(&self, value)
  }
}

/// Reads what `StoredBytesWriter` wrote; every read checks the bounds and fails with the
/// offset, so a truncated or foreign column is an error, never a crash.
struct StoredBytesReader {
  private let bytes: [UInt8]
  /// The field a malformed value is reported as (`clocks`, `snapshot`).
  let field: String
  private(set) var offset = 0

  init(_ bytes: [UInt8], field: String) {
    self.bytes = bytes
    self.field = field
  }

  var isAtEnd: Bool { self.offset == self.bytes.count }

  private mutating func take(_ count: Int) throws(DomainError) -> ArraySlice<UInt8> {
    guard count >= 0, self.bytes.count - self.offset >= count else {
      throw .invalidField(self.field, "stored bytes end at byte \(self.bytes.count), \(count) more expected at \(self.offset)")
    }
    defer { self.offset += count }
    return self.bytes[self.offset..<self.offset + count]
  }

  mutating func byte() throws(DomainError) -> UInt8 { try self.take(1).first! }

  mutating func int32() throws(DomainError) -> Int {
    Int(Int32(bitPattern: try self.take(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
  }

  mutating func int64() throws(DomainError) -> Int {
    Int(Int64(bitPattern: try self.take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
  }

  /// A count of items to follow: refused when negative or larger than the bytes left could hold.
  mutating func count() throws(DomainError) -> Int {
    let count = try self.int32()
    guard count >= 0, count <= self.bytes.count - self.offset else {
      throw .invalidField(self.field, "stored count \(count) at byte \(self.offset - 4) is impossible")
    }
    return count
  }

  mutating func text() throws(DomainError) -> String {
    String(decoding: try self.take(try self.count()), as: UTF8.self)
  }

  /// Raw-value text read back as `T`; an unknown value names what it is and where.
  mutating func raw<T: RawRepresentable>(_ type: T.Type, _ what: String) throws(DomainError) -> T where T.RawValue == String {
    let text = try self.text()
    guard let value = T(rawValue: text) else { throw .invalidField(self.field, "\(what) '\(text)' at byte \(self.offset)") }
    return value
  }

  /// A presence byte, then the value when present (`StoredBytesWriter.optional`).
  mutating func optional<T>(_ read: (inout StoredBytesReader) throws(DomainError) -> T) throws(DomainError) -> T? {
    switch try self.byte() {
    case 0: return nil
    case 1: return try read(&self)
    case let other: throw .invalidField(self.field, "presence byte \(other) at \(self.offset - 1)")
    }
  }
}
