import CivicDomain
import Foundation
public import GRPCCore

/// Request checks that answer INVALID_ARGUMENT naming the field.
enum Require {
  static func invalid(_ field: String, _ problem: String) -> RPCError {
    RPCError(code: .invalidArgument, message: "\(field): \(problem)")
  }

  static func text(_ field: String, _ value: String, max: Int = 2000) throws(RPCError) -> String {
    let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else { throw invalid(field, "must not be empty") }
    guard trimmed.count <= max else { throw invalid(field, "must be at most \(max) characters") }
    return trimmed
  }

  static func code(_ field: String, _ value: String) throws(RPCError) -> String {
    guard !value.isEmpty else { throw invalid(field, "must not be empty") }
    guard value.count <= 64, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
      throw invalid(field, "must be 1–64 letters, digits, '-', '_' or '.'")
    }
    return value
  }

  static func version(_ field: String, _ value: Int64) throws(RPCError) -> Int {
    guard value >= 1 else { throw invalid(field, "must be at least 1 (the version you read), got \(value)") }
    return Int(value)
  }

  static func date(_ field: String, _ value: String) throws(RPCError) -> CivilDate {
    guard let date = CivilDate(value) else { throw invalid(field, "must be a date YYYY-MM-DD, got \"\(value)\"") }
    return date
  }

  static func pageSize(_ value: Int32, default defaultSize: Int) throws(RPCError) -> Int {
    if value == 0 { return defaultSize }
    guard (1...500).contains(value) else { throw invalid("page_size", "must be 1–500, got \(value)") }
    return Int(value)
  }

  static func pageToken(_ value: String) throws(RPCError) -> Int64? {
    if value.isEmpty { return nil }
    guard let id = Int64(value), id > 0 else { throw invalid("page_token", "is not a token this server issued") }
    return id
  }
}

