import Testing

@testable import CivicStore

/// Finding a result's column by name (`QueryResult.Columns.index(of:)`), which every record
/// does for every column of every row: the first column of that name, names that share their
/// length and first and last bytes told apart, absent names and the empty name.
@Suite("CivicStore: columns by name", .timeLimit(.minutes(1)))
struct ColumnLookupTests {
  let columns = QueryResult.Columns(names: ["id", "a_b", "axb", "applicant_id_number", "名称", "", "id", "state"])

  @Test("each name finds its own column; a repeated name finds its first")
  func finds() {
    #expect(self.columns.index(of: "id") == 0)
    #expect(self.columns.index(of: "a_b") == 1 && self.columns.index(of: "axb") == 2)
    #expect(self.columns.index(of: "applicant_id_number") == 3)
    #expect(self.columns.index(of: "名称") == 4)
    #expect(self.columns.index(of: "") == 5)
    #expect(self.columns.index(of: "state") == 7)
  }

  @Test("a name no column has, even one sharing a column's length and first and last bytes, finds nothing")
  func misses() {
    for name in ["ayb", "i", "idd", "applicant_id_numbez", "applicant_xx_number", "名", "State"] {
      #expect(self.columns.index(of: name) == nil, "\(name)")
    }
  }
}
