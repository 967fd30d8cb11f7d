/// A plain-text table for people: a header row, then one line per row, columns separated
/// by two spaces and padded to the widest cell, measured in terminal columns so that
/// Chinese names (two columns per character) line up.
struct Table: Sendable {
  enum Alignment: Sendable {
    case left
    case right
  }

  struct Column: Sendable {
    var title: String
    var alignment: Alignment

    init(_ title: String, _ alignment: Alignment = .left) {
      self.title = title
      self.alignment = alignment
    }
  }

  var columns: [Column]
  private(set) var rows: [[String]] = []

  init(_ columns: [Column]) {
    self.columns = columns
  }

  init(_ titles: String...) {
    self.columns = titles.map { Column($0) }
  }

  /// Adds a row; missing cells are empty and extra cells are dropped. Line breaks and tabs
  /// inside a cell become spaces, so one row is always one line.
  mutating func append(_ cells: [String]) {
    var row = cells.prefix(self.columns.count).map(Self.singleLine)
    row.append(contentsOf: repeatElement("", count: self.columns.count - row.count))
    self.rows.append(row)
  }

  /// The table as text, every line ending in "\n", no trailing spaces.
  func render() -> String {
    guard !self.columns.isEmpty else { return "" }
    let all = [self.columns.map(\.title)] + self.rows
    var widths = [Int](repeating: 0, count: self.columns.count)
    for row in all {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], Self.displayWidth(cell)) }
    }
    var out = ""
    for row in all {
      var line = ""
      for (index, cell) in row.enumerated() {
        let padding = String(repeating: " ", count: widths[index] - Self.displayWidth(cell))
        if index > 0 { line += "  " }
        switch self.columns[index].alignment {
        case .left: line += cell + padding
        case .right: line += padding + cell
        }
      }
      while line.last == " " { line.removeLast() }
      out += line + "\n"
    }
    return out
  }

  /// "Key: value" lines for one object, the keys padded to one width.
  static func keyValues(_ pairs: [(String, String)]) -> String {
    let width = pairs.map { displayWidth($0.0) }.max() ?? 0
    return pairs.map { key, value in
      let line = key + ":" + String(repeating: " ", count: width - displayWidth(key) + 1) + singleLine(value)
      return line.hasSuffix(" ") ? String(line.reversed().drop(while: { $0 == " " }).reversed()) : line
    }.joined(separator: "\n") + "\n"
  }

  /// Terminal columns a string takes: East Asian wide and full-width characters count two,
  /// combining marks and zero-width characters none, everything else one.
  static func displayWidth(_ text: String) -> Int {
    var width = 0
    for scalar in text.unicodeScalars {
      width += Self.columns(of: scalar)
    }
    return width
  }

  private static func columns(of scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format, .control: return 0
    default: break
    }
    if value == 0x200B { return 0 }
    switch value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
      0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
      0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
      return 2
    default:
      return 1
    }
  }

  private static func singleLine(_ text: String) -> String {
    guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
    return String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
  }
}
