public import CivicProtos

/// How a personal value is shown to a caller who may not see it, by the kind its field is
/// marked with (`(civicgrid.v1.personal)` in Protos/civicgrid/v1/privacy.proto).
public enum PersonalDataMask {
  /// The masked form of `value`; an empty value stays empty, so "not given" still reads as such.
  ///
  /// - ID numbers and phone numbers keep their first 3 and last 4 characters, every other
  ///   character becomes `*` ("110***********0027", "138****8000"); a value of 7 characters or
  ///   fewer becomes all `*`. Characters are counted as people see them (grapheme clusters).
  /// - Addresses, and any kind this server does not know, become "***": even a part of an
  ///   address can locate a person.
  /// - Birth dates keep the year ("1953-**-**").
  public static func mask(_ value: String, as kind: Civicgrid_V1_PersonalData) -> String {
    guard !value.isEmpty else { return value }
    switch kind {
    case .idNumber, .phone:
      guard value.count > 7 else { return String(repeating: "*", count: value.count) }
      return String(value.prefix(3)) + String(repeating: "*", count: value.count - 7) + String(value.suffix(4))
    case .birthDate:
      // The year alone (what age-based rules need); anything not shaped like a date, whole.
      guard value.count == 10, value.dropFirst(4).first == "-" else { return String(repeating: "*", count: value.count) }
      return String(value.prefix(4)) + "-**-**"
    case .address, .point, .unspecified, .UNRECOGNIZED:
      return "***"
    }
  }
}
