import CivicStore

extension QueryResult {
  /// The first column of every row as `T`: the one-column reads (`SELECT code FROM …`).
  func column<T: SQLDecodable>(_ type: T.Type) throws(StoreError) -> [T] {
    var values: [T] = []
    values.reserveCapacity(self.rows.count)
    for row in self.rows { values.append(try row.decode(type, at: 0)) }
    return values
  }
}
