import CivicDomain
import Foundation
public import GRPCCore
import SwiftProtobuf

/// Request checks that answer INVALID_ARGUMENT naming the field: the case engine's checks in its argument order (field first); the rules themselves are
/// `Validation`'s, shared with the directory.
enum Require {
  static func invalid(_ field: String, _ problem: String) -> RPCError {
    Validation.invalid(field, problem)
  }

  static func text(_ field: String, _ value: String, max: Int = 2000) throws(RPCError) -> String {
    try Validation.text(value, field: field, maxLength: max)
  }

  static func code(_ field: String, _ value: String) throws(RPCError) -> String {
    try Validation.code(value, field: field)
  }

  static func version(_ field: String, _ value: Int64) throws(RPCError) -> Int {
    guard value >= 1 else { throw invalid(field, "must be at least 1 (the version you read), got \(value)") }
    return Int(value)
  }

  static func date(_ field: String, _ value: String) throws(RPCError) -> CivilDate {
    try Validation.date(value, field: field)
  }

  /// A request's instant, range-checked (`Validation.timestamp`); whole seconds.
  static func instant(_ field: String, _ value: Google_Protobuf_Timestamp) throws(RPCError) -> Instant {
    Instant(try Validation.timestamp(value, field: field))
  }

  static func pageSize(_ value: Int32, default defaultSize: Int) throws(RPCError) -> Int {
    try Validation.pageSize(value, defaultSize: defaultSize)
  }

  static func pageToken(_ value: String) throws(RPCError) -> Int64? {
    if value.isEmpty { return nil }
    guard let id = Int64(value), id > 0 else { throw invalid("page_token", "is not a token this server issued") }
    return id
  }
}

