import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension PeopleService {
  /// Registers a resident or merges onto the person with the same ID number. A row the
  /// batch rejects (an unknown grid, a new person without one) is INVALID_ARGUMENT naming
  /// the field. The answer is masked: registering is no read of what others collected.
  public func registerPerson(
    request: Civicgrid_V1_RegisterPersonRequest, context: ServerContext
  ) async throws -> Civicgrid_V1_RegisterPersonResponse {
    let principal = try RequestContext.principal()
    guard request.hasPerson else { throw Require.invalid("person", "is required") }
    let source = try Self.source(request.source, for: principal, importing: false)
    let now = self.now()
    let provenance = Provenance(source: source, collectedBy: principal.login, collectedAt: now)
    _ = try PersonInputValidation.submission(request.person, provenance: provenance, prefix: "person.")
    return try await self.store.transaction { connection in
      let report = try await PersonBatch(principal: principal, provenance: provenance).run(
        [request.person], prefix: { _ in "person." }, on: connection
      )[0]
      guard let personID = report.personID, let outcome = MergeOutcome(rawValue: report.outcome) else {
        throw Require.invalid(report.field, report.reason)
      }
      try await AuditLog.append(on: connection, object: "person/\(personID)", summary: "registered (\(outcome.rawValue)) from \(source.rawValue)")
      guard let person = try await PersonRepository(connection).load(ids: [personID]).first else { throw DomainError.notFound("person \(personID)") }
      var response = Civicgrid_V1_RegisterPersonResponse()
      response.outcome = PeopleMapping.message(outcome)
      let pending = try await PersonRepository(connection).pendingCorrections([personID])[personID] ?? 0
      response.person = PeopleMapping.message(person, unmasked: [], today: Self.day(of: now), pending: pending)
      return response
    }
  }

  /// The district's calendar day of `instant` (UTC+8, the calendars' standard offset).
  static func day(of instant: Instant) -> CivilDate {
    let seconds = instant.secondsSinceEpoch + 8 * 3600
    return CivilDate(daysSinceEpoch: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
  }
}
