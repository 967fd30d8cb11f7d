import CivicDomain
import Foundation
import GRPCCore
import SwiftProtobuf

/// `Validation`'s checks in the case engine's argument order (field first), still typed
/// `RPCError` because the case engine's typed-throwing helpers rethrow them; they convert
/// from `DomainError` here, in the RPC layer, until the case engine throws `DomainError`.
enum Require {
  static func invalid(_ field: String, _ problem: String) -> RPCError {
    RPCError(Validation.invalid(field, problem))
  }

  private static func checked<T>(_ body: () throws(DomainError) -> T) throws(RPCError) -> T {
    do {
      return try body()
    } catch {
      throw RPCError(error)
    }
  }

  static func text(_ field: String, _ value: String, max: Int = 2000) throws(RPCError) -> String {
    try Self.checked { () throws(DomainError) in try Validation.text(value, field: field, maxLength: max) }
  }

  static func code(_ field: String, _ value: String) throws(RPCError) -> String {
    try Self.checked { () throws(DomainError) in try Validation.code(value, field: field) }
  }

  static func version(_ field: String, _ value: Int64) throws(RPCError) -> Int {
    try Self.checked { () throws(DomainError) in try Validation.version(value, field: field) }
  }

  static func date(_ field: String, _ value: String) throws(RPCError) -> CivilDate {
    try Self.checked { () throws(DomainError) in try Validation.date(value, field: field) }
  }

  /// A request's instant, range-checked (`Validation.timestamp`); whole seconds.
  static func instant(_ field: String, _ value: Google_Protobuf_Timestamp) throws(RPCError) -> Instant {
    try Self.checked { () throws(DomainError) in try Validation.instant(value, field: field) }
  }

  static func pageSize(_ value: Int32, default defaultSize: Int) throws(RPCError) -> Int {
    try Self.checked { () throws(DomainError) in try Validation.pageSize(value, defaultSize: defaultSize) }
  }

  static func pageToken(_ value: String) throws(RPCError) -> Int64? {
    if value.isEmpty { return nil }
    guard let id = Int64(value), id > 0 else { throw invalid("page_token", "is not a token this server issued") }
    return id
  }
}

