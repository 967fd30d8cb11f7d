import CivicDomain
import Foundation
import SwiftProtobuf

/// `Validation`'s checks in the case engine's argument order (field first); every refusal is
/// `DomainError.invalidField`, which the RPC layer answers INVALID_ARGUMENT.
enum Require {
  static func invalid(_ field: String, _ problem: String) -> DomainError {
    Validation.invalid(field, problem)
  }

  static func text(_ field: String, _ value: String, max: Int = 2000) throws(DomainError) -> String {
    try Validation.text(value, field: field, maxLength: max)
  }

  static func code(_ field: String, _ value: String) throws(DomainError) -> String {
    try Validation.code(value, field: field)
  }

  static func version(_ field: String, _ value: Int64) throws(DomainError) -> Int {
    try Validation.version(value, field: field)
  }

  static func date(_ field: String, _ value: String) throws(DomainError) -> CivilDate {
    try Validation.date(value, field: field)
  }

  /// A request's instant, range-checked (`Validation.timestamp`); whole seconds.
  static func instant(_ field: String, _ value: Google_Protobuf_Timestamp) throws(DomainError) -> Instant {
    try Validation.instant(value, field: field)
  }

  static func pageSize(_ value: Int32, default defaultSize: Int) throws(DomainError) -> Int {
    try Validation.pageSize(value, defaultSize: defaultSize)
  }
}
