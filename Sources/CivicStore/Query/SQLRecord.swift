/// A type built from one result row, for rows too wide to read as a tuple.
///
/// A repository's record decodes its columns by name, so the `SELECT` list and the record
/// stay readable side by side and a reordered column list cannot shift values.
public protocol SQLRecord: Sendable {
  init(row: Row) throws(StoreError)
}

extension QueryResult {
  /// Every row decoded as `Record`.
  public func decode<Record: SQLRecord>(_: Record.Type) throws(StoreError) -> [Record] {
    var records: [Record] = []
    records.reserveCapacity(self.rows.count)
    for row in self.rows { records.append(try Record(row: row)) }
    return records
  }

  /// Every row decoded as a tuple of columns in order: `result.decode((Int64, String).self)`.
  public func decode<each Column: SQLDecodable>(_: (repeat each Column).Type) throws(StoreError) -> [(repeat each Column)] {
    var values: [(repeat each Column)] = []
    values.reserveCapacity(self.rows.count)
    for row in self.rows { values.append(try row.decode((repeat each Column).self)) }
    return values
  }

  /// The first row decoded as `Record`, or `nil` when there is none.
  public func first<Record: SQLRecord>(_: Record.Type) throws(StoreError) -> Record? {
    guard let row = self.rows.first else { return nil }
    return try Record(row: row)
  }
}
