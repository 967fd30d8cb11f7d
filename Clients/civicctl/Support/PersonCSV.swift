import CivicProtos
import Foundation

/// A department's list as CSV for `civicctl person import`: a header row naming columns
/// (any order; unknown columns are an error), then one person per line. Fields may be
/// quoted with `"` (a doubled `""` inside is one quote); quoted fields may hold commas.
///
/// Columns: id_number (required), name, gender (male/female), birth_date, phone,
/// household_code, grid_unit_code, address, residence (registered/floating), employment.
enum PersonCSV {
  static let columns = [
    "id_number", "name", "gender", "birth_date", "phone", "household_code", "grid_unit_code", "address", "residence", "employment",
  ]

  struct Problem: Error, CustomStringConvertible {
    var description: String
  }

  /// The rows of `text`, each with its line number in the file.
  static func rows(_ text: String) throws -> [(line: Int, input: Civicgrid_V1_PersonInput)] {
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    while lines.last?.isEmpty == true { lines.removeLast() }
    guard let header = lines.first else { throw Problem(description: "the file is empty: a header row is required") }
    let names = try Self.fields(header, line: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    if let unknown = names.first(where: { !Self.columns.contains($0) }) {
      throw Problem(description: "line 1: unknown column '\(unknown)'; expected some of \(Self.columns.joined(separator: ", "))")
    }
    guard names.contains("id_number") else { throw Problem(description: "line 1: the column id_number is required") }
    var rows: [(Int, Civicgrid_V1_PersonInput)] = []
    for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
      let values = try Self.fields(line, line: index + 1)
      guard values.count == names.count else {
        throw Problem(description: "line \(index + 1): \(values.count) fields, the header has \(names.count)")
      }
      var input = Civicgrid_V1_PersonInput()
      for (name, value) in zip(names, values) {
        switch name {
        case "id_number": input.idNumber = value
        case "name": input.name = value
        case "gender": input.gender = value == "male" ? .male : value == "female" ? .female : value.isEmpty ? .unspecified : .UNRECOGNIZED(99)
        case "birth_date": input.birthDate = value
        case "phone": input.phone = value
        case "household_code": input.householdCode = value
        case "grid_unit_code": input.gridUnitCode = value
        case "address": input.address = value
        case "residence":
          input.residence = value == "registered" ? .registered : value == "floating" ? .floating : value.isEmpty ? .unspecified : .UNRECOGNIZED(99)
        default: input.employment = value
        }
      }
      rows.append((index + 1, input))
    }
    return rows
  }

  /// The fields of one line.
  static func fields(_ line: String, line number: Int) throws -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    var characters = line.makeIterator()
    while let character = characters.next() {
      if quoted {
        if character == "\"" {
          // A doubled quote is one quote; a single one ends the quoted part.
          var lookahead = characters
          if lookahead.next() == "\"" {
            current.append("\"")
            characters = lookahead
          } else {
            quoted = false
          }
        } else {
          current.append(character)
        }
      } else if character == "\"" {
        quoted = true
      } else if character == "," {
        fields.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    guard !quoted else { throw Problem(description: "line \(number): a quote is not closed") }
    fields.append(current)
    return fields
  }

  /// A stable key prefix for a file's batches: its name and a hash of its bytes, so the same
  /// file imported again resumes (its batches' keys are already imported) instead of duplicating.
  static func keyPrefix(path: String, data: Data) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
      .filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    return "\(base.prefix(32))-\(String(hash, radix: 16))"
  }
}
