import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore

/// A request's citizen as sent, validated: a name, and optionally an ID number and a phone
/// (a hotline caller may give neither); or a person on record named by id, whose fields are
/// read in the intake's transaction (`namedPerson`).
struct CitizenFields: Sendable {
  var name: String
  var idNumber: String
  var phone: String
  /// The person named instead of typed fields (docs/PEOPLE.md); 0 when typed.
  var personID: Int64 = 0
  /// How the request names the message: "citizen", or a field event's "resident".
  var field: String = "citizen"

  init(_ citizen: Civicgrid_V1_Citizen, present: Bool, field: String = "citizen") throws(DomainError) {
    guard present else { throw Require.invalid(field, "is required") }
    self.field = field
    if citizen.personID != 0 {
      guard citizen.name.isEmpty, citizen.idNumber.isEmpty, citizen.phone.isEmpty else {
        throw Require.invalid("\(field).person_id", "leave name, id_number and phone out when naming person_id")
      }
      (self.name, self.idNumber, self.phone, self.personID) = ("", "", "", citizen.personID)
      return
    }
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

  /// The fields of a person on record, as intake stores them.
  init(_ person: NamedPerson) {
    self.name = person.name
    self.idNumber = person.idNumber
    self.phone = person.phone
    self.personID = person.person.personID
  }

  /// The person named instead of typed fields, as their record holds them now (in the caller's
  /// scope, with a name: `NamedPerson.load`); nil when the citizen was typed.
  func namedPerson(by principal: Principal, on connection: StoreConnection) async throws -> NamedPerson? {
    guard self.personID != 0 else { return nil }
    return try await NamedPerson.load(self.personID, field: "\(self.field).person_id", by: principal, on: connection)
  }
}
