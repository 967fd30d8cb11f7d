/// A resident identity card number as the project accepts it everywhere (intake, disputes,
/// people): 18 characters, 17 digits and a final digit or `X`, stored upper-case.
public struct IDNumber: Sendable, Hashable, CustomStringConvertible {
  public let text: String

  /// Nil unless `text` (upper-cased) has the shape above.
  public init?(_ text: String) {
    let upper = text.uppercased()
    let digit: (Character) -> Bool = { $0.isASCII && $0.isNumber }
    guard upper.count == 18, upper.prefix(17).allSatisfy(digit), let last = upper.last, digit(last) || last == "X" else {
      return nil
    }
    self.text = upper
  }

  /// The birth date the number carries (characters 7–14, YYYYMMDD), when it is a real date.
  public var birthDate: CivilDate? {
    let digits = Array(self.text.utf8).map { Int($0) - 0x30 }
    func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + digits[$1] } }
    return CivilDate(year: number(6..<10), month: number(10..<12), day: number(12..<14))
  }

  /// The gender the number carries: its 17th character is odd for men, even for women.
  public var gender: Gender {
    let digit = Int(Array(self.text.utf8)[16]) - 0x30
    return digit % 2 == 1 ? .male : .female
  }

  public var description: String { self.text }
}

/// A resident's gender as the identity card records it.
public enum Gender: String, Sendable, CaseIterable {
  case male
  case female
}
