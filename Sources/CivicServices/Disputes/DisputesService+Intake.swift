import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

extension DisputesService {
  /// Who may take a dispute in through each door.
  static let intakeRoles: [DisputeIntake: Set<Role>] = [
    .window: [.clerk], .gridWorker: [.gridWorker], .hotline: [.clerk, .mediator], .partner: [.partner],
  ]

  /// Takes a dispute in. With an idempotency key (required from partners, optional for
  /// staff): the same request again answers the dispute it made, as it is now; a different
  /// request under the key is FAILED_PRECONDITION; duplicates racing the first wait for it to
  /// commit (a transaction-scoped advisory lock on account and key) and answer its dispute.
  public func submitDispute(request: Civicgrid_V1_SubmitDisputeRequest, context: ServerContext) async throws -> Civicgrid_V1_Dispute {
    let principal = try RequestContext.principal()
    let type = try DisputeMapping.type(request.type, field: "type")
    let category: DisputeCategory?
    if type == .dispute {
      category = try DisputeMapping.category(request.category, field: "category")
    } else {
      guard request.category == .unspecified else { throw Require.invalid("category", "is only for type DISPUTE") }
      category = nil
    }
    let intake = try DisputeMapping.intake(request.channel, field: "channel")
    guard !principal.roles.isDisjoint(with: Self.intakeRoles[intake]!) else {
      throw DomainError.permissionDenied("channel: \(intake.rawValue) intake needs role \(Self.intakeRoles[intake]!.sorted().map(\.rawValue).joined(separator: " or "))")
    }
    let summary = try Require.text("summary", request.summary, max: 2000)
    let parties = try Self.parties(request.parties)
    let related = request.relatedCaseID.isEmpty ? nil : try CaseNumber.parse(request.relatedCaseID, field: "related_case_id")
    if !request.unitCode.isEmpty { _ = try Require.code("unit_code", request.unitCode) }
    if request.idempotencyKey.isEmpty, intake == .partner {
      throw Require.invalid("idempotency_key", "is required for partner submissions")
    }
    var unkeyed = request
    unkeyed.idempotencyKey = ""
    let key = try CaseIdempotencyKey(request.idempotencyKey, accountID: principal.accountID, request: unkeyed, method: "SubmitDispute")
    let now = self.now()
    return try await self.store.intakeTransaction(by: principal, at: now) { connection in
      if let key {
        try await key.lock(on: connection, wait: true)
        if let existing = try await key.recordedCase(on: connection) {
          let record = try await CaseRecord.load(existing, scope: .everything, on: connection, lock: false)
          let calendar = try await CalendarStore.require(record.jurisdiction, on: connection).calendar
          var answer = try await Self.message(record, calendar: calendar, at: now, on: connection)
          try await NamedPerson.showTags(onParties: &answer.parties, for: principal, on: connection)
          return answer
        }
      }
      var unit = (id: principal.unitID, path: principal.unitPath)
      if !request.unitCode.isEmpty, request.unitCode != principal.unitCode {
        guard let found = try await UnitRepository(connection).idAndPath(code: request.unitCode), principal.scope.contains(path: found.path) else {
          throw Require.invalid("unit_code", "unit \(request.unitCode) not found")
        }
        unit = found
      }
      if let related {
        guard try await CaseRepository(connection).load(related, visibleIn: principal.scope.sqlRange, lock: false) != nil else {
          throw Require.invalid("related_case_id", "case \(CaseNumber.format(related)) not found")
        }
      }
      var parties = parties
      var named: [Int64: StoredPerson] = [:]
      for (index, party) in request.parties.enumerated() where party.personID != 0 {
        let person = try await NamedPerson.load(party.personID, field: "parties[\(index)].person_id", by: principal, on: connection)
        parties[index] = DisputeParty(
          role: parties[index].role, name: person.name, idNumber: person.idNumber, phone: person.phone, personID: person.person.personID
        )
        named[person.person.personID] = person.person
      }
      let cases = CaseRepository(connection)
      let id = try await cases.nextID()
      let jurisdiction = CalendarStore.defaultJurisdiction
      let calendar = try await CalendarStore.require(jurisdiction, on: connection).calendar
      let title = parties.first { $0.role == .applicant }!.name
      let party: Party = intake == .partner ? .applicant : Self.party(principal)
      let change = try Case.openDispute(id: CaseID(CaseNumber.format(id)), title: title, intake: intake, at: now, by: party)
      try await cases.insert(
        NewCase(id: id, change: change, unitID: unit.id, unitPath: unit.path, jurisdiction: jurisdiction, at: now),
        calendar: calendar
      )
      try await DisputeRepository(connection).insert(
        NewDispute(
          caseID: id, type: type, category: category, intake: intake, summary: summary, relatedCaseID: related, unitID: unit.id,
          unitPath: unit.path, parties: parties, at: now
        )
      )
      try await key?.record(caseID: id, on: connection)
      for party in parties {
        guard let personID = party.personID else { continue }
        try await CasePersonRepository(connection).link(caseID: id, personID: personID, role: party.role.rawValue)
      }
      try await AuditLog.append(
        on: connection,
        object: "dispute/\(CaseNumber.format(id))",
        summary: "submitted (\(type.rawValue)\(category.map { ", \($0.rawValue)" } ?? "")) via \(intake.rawValue) with \(parties.count) parties"
      )
      let record = try await CaseRecord.load(id, scope: .everything, on: connection, lock: false)
      var answer = try await Self.message(record, calendar: calendar, at: now, on: connection)
      answer.mediatorsOnDuty = try await DutyRosterRepository(connection).mediatorsOnDuty(centreID: unit.id, day: calendar.localDate(of: now))
      NamedPerson.showTags(onParties: &answer.parties, of: named, for: principal)
      return answer
    }
  }

  /// The parties of a request, validated: 1–20, at least one applicant.
  static func parties(_ parties: [Civicgrid_V1_DisputeParty]) throws(DomainError) -> [DisputeParty] {
    guard (1...20).contains(parties.count) else { throw Require.invalid("parties", "must list 1–20 parties, got \(parties.count)") }
    var result: [DisputeParty] = []
    for (index, party) in parties.enumerated() {
      let field = "parties[\(index)]"
      let role = try DisputeMapping.role(party.role, field: "\(field).role")
      if party.personID != 0 {
        // Filled from the person record in the transaction (`named`).
        guard party.name.isEmpty, party.idNumber.isEmpty, party.phone.isEmpty else {
          throw Require.invalid("\(field).person_id", "leave name, id_number and phone out when naming person_id")
        }
        result.append(DisputeParty(role: role, name: "", idNumber: "", phone: ""))
        continue
      }
      let name = try Require.text("\(field).name", party.name, max: 100)
      let idNumber = party.idNumber.uppercased()
      if !idNumber.isEmpty {
        guard idNumber.count == 18, idNumber.prefix(17).allSatisfy(\.isASCIIDigit), idNumber.last!.isASCIIDigit || idNumber.last == "X" else {
          throw Require.invalid("\(field).id_number", "must be 18 characters: 17 digits and a digit or X")
        }
      }
      let phone = party.phone
      if !phone.isEmpty {
        let digits = phone.hasPrefix("+") ? phone.dropFirst() : Substring(phone)
        guard (5...20).contains(digits.count), digits.allSatisfy(\.isASCIIDigit) else {
          throw Require.invalid("\(field).phone", "must be 5–20 digits with an optional leading +")
        }
      }
      result.append(DisputeParty(role: role, name: name, idNumber: idNumber, phone: phone))
    }
    guard result.contains(where: { $0.role == .applicant }) else { throw Require.invalid("parties", "must include an APPLICANT") }
    return result
  }
}
