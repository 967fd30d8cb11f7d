import CivicDomain
import CivicProtos
import CivicRepositories
import CivicStore

/// A person named at intake instead of typed in (SubmitApplication, disputes): what the case
/// takes from the record, and the tags a case shows its clerks and handlers.
struct NamedPerson: Sendable {
  var person: StoredPerson
  var name: String
  var idNumber: String
  var phone: String

  /// The person `id` as intake may name them: in the caller's scope, with a name on record.
  /// Otherwise INVALID_ARGUMENT naming `field`.
  static func load(_ id: Int64, field: String, by principal: Principal, on connection: StoreConnection) async throws -> NamedPerson {
    guard id >= 1 else { throw Require.invalid(field, "must be at least 1, got \(id)") }
    guard let person = try await PersonRepository(connection).load(ids: [id]).first, principal.scope.contains(path: person.gridPath) else {
      throw Require.invalid(field, "person \(id) not found in your scope")
    }
    guard let named = NamedPerson(person) else { throw Require.invalid(field, "person \(id) has no name on record") }
    return named
  }

  /// Person `id` as their record holds them now, without the caller's scope: for a case passing
  /// on the person it was taken in for, in scope then (a field event forwarded to requests).
  static func passedOn(_ id: Int64, on connection: StoreConnection) async throws -> NamedPerson? {
    try await PersonRepository(connection).load(ids: [id]).first.flatMap(NamedPerson.init)
  }

  /// The roles a case shows its applicant's tags to.
  static let tagReaders: Set<Role> = [.clerk, .handler]

  /// Sets the case's person and, for clerks and handlers, the tags in force today that are
  /// not sensitive (special and key groups are read through GetPerson with a purpose).
  /// `personID` is the case's applicant person (`CaseReading.applicantPersonID`).
  static func attach(to message: inout Civicgrid_V1_Case, personID: Int64?, for principal: Principal, on connection: StoreConnection) async throws {
    guard let personID else { return }
    message.personID = personID
    guard !principal.roles.isDisjoint(with: Self.tagReaders), let person = try await PersonRepository(connection).load(ids: [personID]).first
    else { return }
    Self.showTags(of: person, in: &message)
  }

  /// The same for this person, loaded already (intake by person id): no second read.
  func attach(to message: inout Civicgrid_V1_Case, for principal: Principal) {
    message.personID = self.person.personID
    guard !principal.roles.isDisjoint(with: Self.tagReaders) else { return }
    Self.showTags(of: self.person, in: &message)
  }

  /// Each dispute party named by person id, with that person's tags as `attach` shows an
  /// applicant's: for clerks and handlers, in force and not sensitive. One read for all parties.
  static func showTags(onParties parties: inout [Civicgrid_V1_DisputeParty], for principal: Principal, on connection: StoreConnection)
    async throws
  {
    let ids = Set(parties.map(\.personID).filter { $0 != 0 })
    guard !ids.isEmpty, !principal.roles.isDisjoint(with: Self.tagReaders) else { return }
    let people = Dictionary(
      try await PersonRepository(connection).load(ids: ids.sorted()).map { ($0.personID, $0) }, uniquingKeysWith: { first, _ in first }
    )
    Self.showTags(onParties: &parties, of: people, for: principal)
  }

  /// The same with the people loaded already, by id (intake by person id): no second read.
  static func showTags(onParties parties: inout [Civicgrid_V1_DisputeParty], of people: [Int64: StoredPerson], for principal: Principal) {
    guard !principal.roles.isDisjoint(with: Self.tagReaders) else { return }
    for index in parties.indices {
      guard let person = people[parties[index].personID] else { continue }
      parties[index].tags = Self.shownTags(of: person)
    }
  }

  private static func showTags(of person: StoredPerson, in message: inout Civicgrid_V1_Case) {
    message.applicantTags = Self.shownTags(of: person)
  }

  /// The tags a case shows its clerks and handlers: in force today and not sensitive.
  private static func shownTags(of person: StoredPerson) -> [Civicgrid_V1_PersonTag] {
    let today = PeopleService.day(of: .now)
    return person.state.tags.filter { !$0.kind.isSensitive && $0.isActive(on: today) }.map { PeopleMapping.message($0, today: today) }
  }
}

extension NamedPerson {
  /// `person` as a case takes them: nil without a name on record.
  init?(_ person: StoredPerson) {
    guard let name = person.state.fields[.name]?.value else { return nil }
    self.init(person: person, name: name, idNumber: person.state.idNumber.text, phone: person.state.fields[.phone]?.value ?? "")
  }
}
