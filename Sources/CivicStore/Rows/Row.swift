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
    guard let index = self.columns.index[name] else {
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
    let index: [String: Int]
    init(names: [String]) {
      self.names = names
      var index: [String: Int] = [:]
      for (offset, name) in names.enumerated() where index[name] == nil { index[name] = offset }
      self.index = index
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
