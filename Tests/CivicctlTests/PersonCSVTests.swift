import CivicProtos
import Foundation
import Testing

@testable import civicctl

/// `civicctl person import`'s CSV reading: header columns in any order, quoted fields with
/// commas and doubled quotes, refusals naming the line.
@Suite("Person CSV", .timeLimit(.minutes(1)))
struct PersonCSVTests {
  @Test("rows follow the header's columns; quoted fields keep commas and doubled quotes")
  func rows() throws {
    let text = #"""
      name,id_number,address,residence
      Zhang San,110105195303150027,"Building 3, Room ""402""",floating

      Li Si,11010519600101001X,,registered
      """#
    let rows = try PersonCSV.rows(text)
    #expect(rows.map(\.line) == [2, 4])
    #expect(rows[0].input.name == "Zhang San" && rows[0].input.idNumber == "110105195303150027")
    #expect(rows[0].input.address == "Building 3, Room \"402\"" && rows[0].input.residence == .floating)
    #expect(rows[1].input.address.isEmpty && rows[1].input.residence == .registered)
  }

  @Test("an unknown column, a missing id_number column, a short line and an open quote are refused with the line")
  func refusals() {
    let cases = [
      ("id_number,shoe_size\n1,2", "line 1: unknown column 'shoe_size'"),
      ("name\nZhang", "line 1: the column id_number is required"),
      ("id_number,name\n110105195303150027", "line 2: 1 fields, the header has 2"),
      ("id_number,name\n110105195303150027,\"Zhang", "line 2: a quote is not closed"),
    ]
    for (text, message) in cases {
      #expect(throws: PersonCSV.Problem.self) { try PersonCSV.rows(text) }
      do {
        _ = try PersonCSV.rows(text)
      } catch {
        #expect("\(error)".hasPrefix(message), "\(error)")
      }
    }
  }

  @Test("the default key prefix is stable for the same bytes and changes with them")
  func keyPrefix() {
    let a = PersonCSV.keyPrefix(path: "/tmp/civil affairs.csv", data: Data("x".utf8))
    #expect(a == PersonCSV.keyPrefix(path: "/elsewhere/civil affairs.csv", data: Data("x".utf8)))
    #expect(a != PersonCSV.keyPrefix(path: "/tmp/civil affairs.csv", data: Data("y".utf8)))
    #expect(a.hasPrefix("civilaffairs-"))
  }
}
