import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension PeopleService {
  /// A clerk's correction after checking documents at the window: the value replaces the
  /// current one whatever its trust (the clerk is the arbiter), with history, and settles the
  /// field's pending corrections as superseded.
  public func correctPerson(request: Civicgrid_V1_CorrectPersonRequest, context: ServerContext) async throws -> Civicgrid_V1_Person {
    let principal = try RequestContext.principal()
    let id = try Self.personID(request.personID)
    let field = try PeopleMapping.field(named: request.field, field: "field")
    let reason = try Validation.text(request.reason, field: "reason", maxLength: 500)
    let now = self.now()
    return try await self.personCommand(id, principal: principal, at: now) { person, connection in
      let value = try PersonInputValidation.value(request.value, of: field, idNumber: person.state.idNumber)
      let grid = try await Self.grid(field, value, principal: principal, on: connection)
      let old = person.state.fields[field]?.value
      let provenance = Provenance(source: .window, collectedBy: principal.login, collectedAt: now)
      try await PersonRepository(connection).setField(
        id, field, to: SourcedValue(value, provenance), old: old, reason: "correction", grid: grid, at: now
      )
      return "corrected \(field.rawValue): \(reason)"
    }
  }

  /// Pending corrections in the caller's scope, oldest first; values of sensitive fields are
  /// masked unless unmasked like `getPerson` (purpose, audited).
  public func listCorrections(request: Civicgrid_V1_ListCorrectionsRequest, context: ServerContext) async throws -> Civicgrid_V1_ListCorrectionsResponse {
    let principal = try RequestContext.principal()
    let limit = try Validation.pageSize(request.pageSize, defaultSize: 100, maxSize: 500)
    let purpose = try Self.purpose(request.purpose)
    let unmasked = PersonDataAccess.unmasked(for: principal, purpose: purpose)
    return try await self.store.transaction { connection in
      let corrections = try await PersonRepository(connection).pendingCorrections(range: principal.scope.sqlRange, limit: limit)
      if !corrections.isEmpty { try await Self.auditUnmasked(unmasked, object: "person-corrections", purpose: purpose, on: connection) }
      var response = Civicgrid_V1_ListCorrectionsResponse()
      response.corrections = corrections.map { PeopleMapping.message($0, unmasked: unmasked) }
      return response
    }
  }

  /// Accepts (the value is set, window trust, by the clerk who checked it) or rejects one
  /// pending correction.
  public func decideCorrection(request: Civicgrid_V1_DecideCorrectionRequest, context: ServerContext) async throws -> Civicgrid_V1_Person {
    let principal = try RequestContext.principal()
    let correctionID = try Self.personID(request.correctionID, field: "correction_id")
    let note = try Validation.text(request.note, field: "note", maxLength: 500, required: false)
    let now = self.now()
    let personID = try await self.store.withConnection { connection in
      try await PersonRepository(connection).correctionPerson(correctionID)
    }
    guard let personID else { throw DomainError.notFound("correction \(correctionID)") }
    return try await self.personCommand(personID, principal: principal, at: now) { person, connection in
      let people = PersonRepository(connection)
      guard let correction = try await people.correction(correctionID) else { throw DomainError.notFound("correction \(correctionID)") }
      guard correction.status == "pending" else {
        throw DomainError.illegalState(subject: "correction \(correctionID)", state: correction.status, action: "deciding", allowed: ["pending"])
      }
      try await people.decide(correctionID, accepted: request.accept, by: principal.login, note: note, at: now)
      guard request.accept else { return "rejected correction \(correctionID) of \(correction.field.rawValue)" }
      let grid = try await Self.grid(correction.field, correction.proposed, principal: principal, on: connection)
      let provenance = Provenance(source: .window, collectedBy: principal.login, collectedAt: now)
      try await people.setField(
        personID, correction.field, to: SourcedValue(correction.proposed, provenance), old: person.state.fields[correction.field]?.value,
        reason: "accepted", grid: grid, at: now
      )
      return "accepted correction \(correctionID) of \(correction.field.rawValue)"
    }
  }

  /// Adds a tag to a person.
  public func addTag(request: Civicgrid_V1_AddTagRequest, context: ServerContext) async throws -> Civicgrid_V1_Person {
    let principal = try RequestContext.principal()
    let id = try Self.personID(request.personID)
    let source = try Self.source(request.source, for: principal, importing: false)
    let now = self.now()
    let tag = try PersonInputValidation.tag(
      request.tag, provenance: Provenance(source: source, collectedBy: principal.login, collectedAt: now), field: "tag"
    )
    return try await self.personCommand(id, principal: principal, at: now) { person, connection in
      guard !person.state.tags.contains(where: { $0.key == tag.key }) else { throw DomainError.alreadyExists("tag: \(tag.key) of person \(id)") }
      try await PersonRepository(connection).addTags(id, [tag])
      return "tagged \(tag.kind.rawValue)\(tag.subtype.isEmpty ? "" : "/\(tag.subtype)") from \(tag.validFrom)"
    }
  }

  /// Ends a tag: its last day of validity.
  public func endTag(request: Civicgrid_V1_EndTagRequest, context: ServerContext) async throws -> Civicgrid_V1_Person {
    let principal = try RequestContext.principal()
    let id = try Self.personID(request.personID)
    let kind = try Self.tagKind(request.kind, field: "kind")
    let from = try Validation.date(request.validFrom, field: "valid_from")
    let last = try Validation.date(request.validUntil, field: "valid_until")
    guard last >= from else { throw Require.invalid("valid_until", "must not be before valid_from") }
    return try await self.personCommand(id, principal: principal, at: self.now()) { _, connection in
      guard try await PersonRepository(connection).endTag(id, kind: kind, subtype: request.subtype, validFrom: from, on: last) else {
        throw DomainError.notFound("tag \(kind.rawValue)/\(request.subtype)/\(from) of person \(id)")
      }
      return "ended tag \(kind.rawValue)\(request.subtype.isEmpty ? "" : "/\(request.subtype)") on \(last)"
    }
  }

  /// A write to one person in the caller's scope: locks the person's ID-number bucket, runs
  /// `body` (which answers the audit summary), audits, and answers the person as they are
  /// now, masked.
  func personCommand(
    _ id: Int64, principal: Principal, at now: Instant,
    _ body: @escaping @Sendable (StoredPerson, StoreConnection) async throws -> String
  ) async throws -> Civicgrid_V1_Person {
    try await self.store.transaction { connection in
      let people = PersonRepository(connection)
      guard let found = try await people.load(ids: [id]).first, principal.scope.contains(path: found.gridPath) else {
        throw DomainError.notFound("person \(id)")
      }
      try await people.lock([found.state.idNumber])
      let person = try await people.load(ids: [id]).first ?? found
      let summary = try await body(person, connection)
      try await AuditLog.append(on: connection, object: "person/\(id)", summary: summary)
      guard let after = try await people.load(ids: [id]).first else { throw DomainError.notFound("person \(id)") }
      let history = try await people.history(id)
      let pending = try await people.pendingCorrections([id])[id] ?? 0
      return PeopleMapping.message(after, unmasked: [], today: Self.day(of: now), history: history, pending: pending)
    }
  }

  /// For a grid value, its unit in the caller's scope (INVALID_ARGUMENT otherwise); nil for other fields.
  static func grid(_ field: PersonField, _ value: String, principal: Principal, on connection: StoreConnection) async throws
    -> (id: Int64, path: String)?
  {
    guard field == .grid else { return nil }
    guard let unit = try await UnitRepository(connection).idsAndPaths([value], within: principal.scope.sqlRange)[value] else {
      throw Require.invalid("value", "unit \(value) not found in your scope")
    }
    return unit
  }
}
