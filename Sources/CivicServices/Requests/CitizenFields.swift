import CivicDomain
import CivicProtos

/// A request's citizen as sent, validated: a name, and optionally an ID number and a phone
/// (a hotline caller may give neither).
struct CitizenFields: Sendable {
  var name: String
  var idNumber: String
  var phone: String

  /// `field` is how the request names the message ("citizen"; a field event's "resident").
  init(_ citizen: Civicgrid_V1_Citizen, present: Bool, field: String = "citizen") throws(DomainError) {
    guard present else { throw Require.invalid(field, "is required") }
    self.name = try Require.text("\(field).name", citizen.name, max: 100)
    self.idNumber = citizen.idNumber.uppercased()
    if !self.idNumber.isEmpty {
      guard self.idNumber.count == 18, self.idNumber.prefix(17).allSatisfy(\.isASCIIDigit),
        self.idNumber.last!.isASCIIDigit || self.idNumber.last == "X"
      else { throw Require.invalid("\(field).id_number", "must be 18 characters: 17 digits and a digit or X") }
    }
    self.phone = citizen.phone
    if !self.phone.isEmpty {
      let digits = self.phone.hasPrefix("+") ? self.phone.dropFirst() : Substring(self.phone)
      guard (5...20).contains(digits.count), digits.allSatisfy(\.isASCIIDigit) else {
        throw Require.invalid("\(field).phone", "must be 5–20 digits with an optional leading +")
      }
    }
  }
}
