import Testing

@testable import civicctl

@Suite("Table rendering", .timeLimit(.minutes(1)))
struct TableTests {
  @Test("columns pad to the widest cell, two spaces apart, no trailing spaces")
  func alignment() {
    var table = Table([.init("ID", .right), .init("CODE"), .init("NAME")])
    table.append(["7", "S01", "East Street"])
    table.append(["123", "S01-C001", ""])
    #expect(table.render() == " ID  CODE      NAME\n  7  S01       East Street\n123  S01-C001\n")
  }

  @Test("Chinese characters take two columns each")
  func wideCharacters() {
    var table = Table("NAME", "KIND")
    table.append(["东城街道", "street"])
    table.append(["Grid 1", "grid"])
    #expect(table.render() == "NAME      KIND\n东城街道  street\nGrid 1    grid\n")
    #expect(Table.displayWidth("东城街道") == 8)
    #expect(Table.displayWidth("ａｂ") == 4)
    #expect(Table.displayWidth("e\u{301}") == 1)
  }

  @Test("a header alone when there are no rows")
  func empty() {
    #expect(Table("CODE", "NAME").render() == "CODE  NAME\n")
  }

  @Test("line breaks and tabs in a cell become spaces; short rows are padded, long ones cut")
  func oddCells() {
    var table = Table("A", "B")
    table.append(["x\ny", "1\t2", "dropped"])
    table.append(["z"])
    #expect(table.render() == "A    B\nx y  1 2\nz\n")
  }

  @Test("key: value lines align the values")
  func keyValues() {
    #expect(Table.keyValues([("Code", "S01"), ("Responsible", "王芳"), ("Path", "")]) == "Code:        S01\nResponsible: 王芳\nPath:\n")
  }
}
