/// The facts kept about a resident besides the ID number that identifies them; each carries
/// its own provenance and history.
public enum PersonField: String, Sendable, CaseIterable, Comparable {
  case name
  case gender
  case birthDate
  case phone
  /// The household's code (its register number).
  case household
  /// The code of the grid unit the resident lives in.
  case grid
  case address
  /// `registered` (户籍) or `floating` (流动).
  case residence
  case employment

  public static func < (lhs: PersonField, rhs: PersonField) -> Bool {
    Self.allCases.firstIndex(of: lhs)! < Self.allCases.firstIndex(of: rhs)!
  }
}

/// Whether a resident is registered here (户籍) or floating (流动人口).
public enum Residence: String, Sendable, CaseIterable {
  case registered
  case floating
}
