/// One result row, copied out of libpq (text format); decode columns by index or name.
public struct Row: Sendable {
  let columns: QueryResult.Columns
  let values: [String?]

  /// The number of columns.
  public var count: Int { self.values.count }

  /// Decodes column `index` (0-based) as `T`; use an `Optional` type for nullable columns.
  public func decode<T: SQLDecodable>(_ type: T.Type = T.self, at index: Int) throws(StoreError) -> T {
    guard index >= 0, index < self.values.count else {
      throw StoreError(code: .decoding, serverMessage: "column index \(index) out of range")
    }
    return try T.decode(nullable: self.values[index])
  }

  /// Decodes the column called `name` as `T`.
  public func decode<T: SQLDecodable>(_ type: T.Type = T.self, column name: String) throws(StoreError) -> T {
    guard let index = self.columns.index(of: name) else {
      throw StoreError(code: .decoding, serverMessage: "no column named \(name)")
    }
    return try self.decode(type, at: index)
  }

  /// Decodes the row's columns in order as a tuple: `row.decode((Int64, String, Date?).self)`.
  public func decode<each Column: SQLDecodable>(_: (repeat each Column).Type) throws(StoreError) -> (repeat each Column) {
    var index = 0
    func next<Value: SQLDecodable>(_ type: Value.Type) throws(StoreError) -> Value {
      defer { index += 1 }
      return try self.decode(type, at: index)
    }
    return (repeat try next((each Column).self))
  }
}

/// The rows and the affected-row count of one statement.
public struct QueryResult: Sendable {
  final class Columns: Sendable {
    let names: [String]
    /// Per column, its name's UTF-8 length and first and last bytes: records decode every
    /// column of every row by name, and comparing these integers and then one string costs
    /// less than hashing the name into a dictionary (about 5 % of a ListCases call did).
    private let keys: [UInt64]

    init(names: [String]) {
      self.names = names
      self.keys = names.map(Self.key)
    }

    /// The first column called `name`.
    func index(of name: String) -> Int? {
      let key = Self.key(name)
      for offset in self.keys.indices where self.keys[offset] == key && self.names[offset] == name { return offset }
      return nil
    }

    private static func key(_ name: String) -> UInt64 {
      let bytes = name.utf8
      guard let first = bytes.first, let last = bytes.last else { return 0 }
      return UInt64(bytes.count) << 16 | UInt64(first) << 8 | UInt64(last)
    }
  }

  /// Column names in order.
  public var columnNames: [String] { self.columns.names }
  public let rows: [Row]
  /// Rows inserted, updated, deleted, selected… as the command tag reports (0 when none).
  public let affectedRows: Int
  let columns: Columns

  /// The first row's first column, or `nil` when there is no row.
  public func scalar<T: SQLDecodable>(_ type: T.Type = T.self) throws(StoreError) -> T? {
    guard let first = self.rows.first else { return nil }
    return try first.decode(type, at: 0)
  }
}
