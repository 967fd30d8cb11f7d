import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension PeopleService {
  /// One person with provenance, tags and history. With a purpose, the parts the privacy
  /// table lets the caller's roles read are shown in full, and the read is audited (who,
  /// which person, why) in the same transaction; without one, everything sensitive is masked
  /// and key-group tags are left out.
  public func getPerson(request: Civicgrid_V1_GetPersonRequest, context: ServerContext) async throws -> Civicgrid_V1_Person {
    let principal = try RequestContext.principal()
    let id = try Self.personID(request.personID)
    let purpose = try Self.purpose(request.purpose)
    let unmasked = PersonDataAccess.unmasked(for: principal, purpose: purpose)
    let today = Self.day(of: self.now())
    return try await self.store.transaction { connection in
      let people = PersonRepository(connection)
      guard let person = try await people.load(ids: [id]).first, principal.scope.contains(path: person.gridPath) else {
        throw DomainError.notFound("person \(id)")
      }
      let history = try await people.history(id)
      let pending = try await people.pendingCorrections([id])[id] ?? 0
      try await Self.auditUnmasked(unmasked, object: "person/\(id)", purpose: purpose, on: connection)
      return PeopleMapping.message(person, unmasked: unmasked, today: today, history: history, pending: pending)
    }
  }

  /// Writes the audit entry of a read that showed sensitive parts in full; nothing otherwise.
  static func auditUnmasked(_ unmasked: Set<SensitivePersonData>, object: String, purpose: String, on connection: StoreConnection) async throws {
    guard !unmasked.isEmpty else { return }
    try await AuditLog.append(
      on: connection, object: object, summary: "unmasked read (\(unmasked.sorted().map(\.rawValue).joined(separator: ", "))) for: \(purpose)"
    )
  }

  /// People in the caller's scope, masked, in id order, keyset-paginated. Searching by a full
  /// ID number needs a role that sees ID numbers (`PersonalDataAccess.refuseIDNumberSearch`).
  public func findPeople(request: Civicgrid_V1_FindPeopleRequest, context: ServerContext) async throws -> Civicgrid_V1_FindPeopleResponse {
    let principal = try RequestContext.principal()
    let query = try Validation.text(request.query, field: "query", maxLength: 100, required: false)
    if !PersonalDataAccess.seesPersonalData(principal) { try PersonalDataAccess.refuseIDNumberSearch(query, field: "query") }
    let idNumber = IDNumber(query)
    let tag = request.tag == .unspecified ? nil : try Self.tagKind(request.tag, field: "tag")
    let limit = try Validation.pageSize(request.pageSize, defaultSize: 50, maxSize: 200)
    let after = try Self.after(request.pageToken)
    let today = Self.day(of: self.now())
    return try await self.store.withConnection { connection in
      var gridPath: String?
      if !request.gridUnitCode.isEmpty {
        let code = try Validation.code(request.gridUnitCode, field: "grid_unit_code")
        guard let unit = try await UnitRepository(connection).idsAndPaths([code], within: principal.scope.sqlRange)[code] else {
          throw Require.invalid("grid_unit_code", "unit \(code) not found in your scope")
        }
        gridPath = unit.path
      }
      // One statement: the page of people with their fields, tags and pending corrections.
      let found = try await PersonRepository(connection).find(
        range: principal.scope.sqlRange, idNumber: idNumber, namePrefix: idNumber == nil && !query.isEmpty ? query : nil,
        gridPath: gridPath, tag: tag, day: today, after: after, limit: limit
      )
      var response = Civicgrid_V1_FindPeopleResponse()
      response.people = found.map { PeopleMapping.message($0.person, unmasked: [], today: today, pending: $0.pendingCorrections) }
      if found.count == limit, let last = found.last { response.nextPageToken = "p\(last.person.personID)" }
      return response
    }
  }

  /// A tag kind a filter or command names; sensitive kinds only for the privacy table's roles.
  static func tagKind(_ value: Civicgrid_V1_PersonTagKind, field: String) throws(DomainError) -> TagKind {
    guard let kind = PeopleMapping.tagKind(value) else { throw Require.invalid(field, "is not a known tag kind") }
    return kind
  }

  static func after(_ token: String) throws(DomainError) -> Int64 {
    guard !token.isEmpty else { return 0 }
    guard token.hasPrefix("p"), let value = Int64(token.dropFirst()), value >= 0 else {
      throw Require.invalid("page_token", "is not a token this method returned")
    }
    return value
  }

  /// A household and its members, masked like `getPerson` (audited when unmasked).
  public func getHousehold(request: Civicgrid_V1_GetHouseholdRequest, context: ServerContext) async throws -> Civicgrid_V1_Household {
    let principal = try RequestContext.principal()
    let code = try Validation.code(request.householdCode, field: "household_code")
    let purpose = try Self.purpose(request.purpose)
    let unmasked = PersonDataAccess.unmasked(for: principal, purpose: purpose)
    let today = Self.day(of: self.now())
    return try await self.store.transaction { connection in
      let people = PersonRepository(connection)
      guard let household = try await people.household(code), principal.scope.contains(path: household.gridPath) else {
        throw DomainError.notFound("household \(code)")
      }
      let members = try await people.load(ids: household.members).filter { principal.scope.contains(path: $0.gridPath) }
      try await Self.auditUnmasked(unmasked, object: "household/\(code)", purpose: purpose, on: connection)
      var response = Civicgrid_V1_Household()
      response.householdCode = code
      response.gridUnitCode = household.gridCode
      response.members = members.map { PeopleMapping.message($0, unmasked: unmasked, today: today) }
      return response
    }
  }
}
