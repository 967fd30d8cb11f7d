import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore
import Logging
import SwiftProtobuf

extension CasesService {
  /// Takes in an application. With an idempotency key (required from partners):
  /// - the first request under a key creates the case and records the key with the request's hash;
  /// - a later request with the same key and the same content answers that case (as it is now);
  /// - the same key with a different request answers FAILED_PRECONDITION;
  /// - a request racing the first one (same account and key, while it is still running)
  ///   answers ABORTED: a transaction-scoped advisory lock on (account, key) is tried, not waited for.
  /// The primary key on (account, key) keeps exactly one case per key whatever happens.
  public func submitApplication(request: Civicgrid_V1_SubmitApplicationRequest, context: ServerContext) async throws -> Civicgrid_V1_Case {
    let principal = try RequestContext.principal()
    let itemCode = try Require.code("item_code", request.itemCode)
    let channel = try CatalogMapping.channel(request.channel, field: "channel")
    // Typed in, or taken from a person record inside the transaction (person_id).
    var typed: (name: String, idNumber: String, phone: String)?
    if request.personID != 0 {
      guard !request.hasApplicant else { throw Require.invalid("applicant", "leave it out when naming person_id") }
    } else {
      typed = try Self.applicant(request)
    }
    for (index, code) in request.providedMaterials.enumerated() { _ = try Require.code("provided_materials[\(index)]", code) }
    if request.idempotencyKey.isEmpty {
      guard principal.has(.clerk) else { throw Require.invalid("idempotency_key", "is required for partner submissions") }
    } else {
      _ = try CaseIdempotencyKey.validated(request.idempotencyKey)
    }
    if channel == .window, !principal.has(.clerk) {
      throw DomainError.permissionDenied("channel: WINDOW submissions are made by a clerk")
    }
    var unhashed = request
    unhashed.idempotencyKey = ""
    let key = try CaseIdempotencyKey(request.idempotencyKey, accountID: principal.accountID, request: unhashed)

    let start = self.now()
    return try await self.store.intakeTransaction(by: principal, at: start) { connection in
      if let key {
        try await key.lock(on: connection, wait: false)
        if let existing = try await key.recordedCase(on: connection) {
          let reading = try await CaseRecord.read(existing, scope: .everything, on: connection)
          let record = reading.record
          let calendar = try await CalendarStore.require(record.jurisdiction, knownKey: reading.calendarKey, on: connection).calendar
          var answer = try CaseMapping.message(record, calendar: calendar, at: start)
          try await NamedPerson.attach(to: &answer, personID: reading.applicantPersonID, for: principal, on: connection)
          return answer
        }
      }
      let named = typed == nil ? try await NamedPerson.load(request.personID, field: "person_id", by: principal, on: connection) : nil
      let applicant = typed ?? (named!.name, named!.idNumber, named!.phone)
      let intake = Intake(
        itemCode: itemCode,
        channel: channel,
        applicantName: applicant.name,
        idNumber: applicant.idNumber,
        phone: applicant.phone,
        providedMaterials: request.providedMaterials,
        unitCode: request.unitCode
      )
      let taken = try await Self.takeIn(intake, by: principal, at: start, on: connection)
      let (id, item, unitCode) = (taken.record.id, taken.item, taken.record.unitCode)
      try await key?.record(caseID: id, on: connection)
      if let named { try await CasePersonRepository(connection).link(caseID: id, personID: named.person.personID, role: "applicant") }
      try await AuditLog.append(
        on: connection,
        object: "case/\(CaseNumber.format(id))",
        summary: "submitted for \(item.ref) via \(channel.rawValue) at \(unitCode)\(named.map { " for person \($0.person.personID)" } ?? "")"
      )
      CallLog.current.info(
        "application submitted",
        metadata: ["case.number": "\(CaseNumber.format(id))", "case.item": "\(item.ref)", "case.unit": "\(unitCode)"]
      )
      // Answered from what was written, not read back (CaseRecord(inserted:…)).
      var answer = try CaseMapping.message(taken.record, calendar: taken.calendar, at: start)
      // Only a case taken in for a person record has one linked (a typed-in applicant has none).
      named?.attach(to: &answer, for: principal)
      return answer
    }
  }

  /// The typed-in applicant of `request`, validated.
  static func applicant(_ request: Civicgrid_V1_SubmitApplicationRequest) throws(DomainError) -> (name: String, idNumber: String, phone: String) {
    guard request.hasApplicant else { throw Require.invalid("applicant", "is required") }
    let name = try Require.text("applicant.name", request.applicant.name, max: 100)
    guard let idNumber = IDNumber(request.applicant.idNumber)?.text else {
      throw Require.invalid("applicant.id_number", "must be 18 characters: 17 digits and a digit or X")
    }
    let phone = request.applicant.phone
    if !phone.isEmpty {
      let digits = phone.hasPrefix("+") ? phone.dropFirst() : Substring(phone)
      guard (5...20).contains(digits.count), digits.allSatisfy(\.isASCIIDigit) else {
        throw Require.invalid("applicant.phone", "must be 5–20 digits with an optional leading +")
      }
    }
    return (name, idNumber, phone)
  }

  /// What intake needs, validated by the caller.
  struct Intake: Sendable {
    var itemCode: String
    var channel: IntakeChannel
    var applicantName: String
    var idNumber: String
    var phone: String
    var providedMaterials: [String]
    /// The receiving unit; empty for the caller's own.
    var unitCode: String
  }

  /// Creates the case of a validated application on `connection`, inside the caller's
  /// transaction (SubmitApplication, or an appointment's check-in), without the audit row,
  /// which the caller writes for the whole mutation. Answers the case as written.
  static func takeIn(_ intake: Intake, by principal: Principal, at now: Instant = .now, on connection: StoreConnection) async throws -> (
    record: CaseRecord, item: CatalogItemVersion, calendar: WorkingCalendar
  ) {
    // The receiving unit: the caller's own, or a unit in the caller's scope.
    var unitID = principal.unitID
    var unitCode = principal.unitCode
    var unitPath = principal.unitPath
    if !intake.unitCode.isEmpty, intake.unitCode != principal.unitCode {
      guard let unit = try await UnitRepository(connection).idAndPath(code: intake.unitCode), principal.scope.contains(path: unit.path) else {
        throw DomainError.notFound("unit_code: unit \(intake.unitCode)")
      }
      unitID = unit.id
      unitCode = intake.unitCode
      unitPath = unit.path
    }
    // 事项下移: a centre with delegated items takes in those only (docs/ACCESS.md).
    try await DelegationRepository(connection).check(centreID: unitID, centreCode: unitCode, itemCode: intake.itemCode)
    guard let (item, _) = try await CatalogStore.published(intake.itemCode, on: connection) else {
      if try await CatalogRepository(connection).exists(code: intake.itemCode) { throw DomainError.precondition("item \(intake.itemCode)", "has no published version; intake needs one") }
      throw DomainError.notFound("item \(intake.itemCode)")
    }
    let jurisdiction = CalendarStore.defaultJurisdiction
    let calendar = try await CalendarStore.require(jurisdiction, on: connection).calendar
    // A version dispatching to a social organisation no contract covers today takes no intake
    // (docs/CONTRACTS.md, "When a contract ends"): refused before any case is written.
    if let suspension = try await ContractRepository(connection).suspension(
      itemCode: item.definition.code, unitCodes: item.definition.stages.flatMap(\.units).map(\.rawValue), on: calendar.localDate(of: now)
    ) {
      throw suspension
    }
    let cases = CaseRepository(connection)
    let id = try await cases.nextID()
    let party: Party = intake.channel == .window ? Self.party(principal) : .applicant
    let change = try Case.submit(
      id: CaseID(CaseNumber.format(id)),
      policy: ServiceApplicationKind.serviceApplication.policy,
      item: item,
      channel: intake.channel,
      applicant: intake.applicantName,
      provided: Set(intake.providedMaterials),
      at: now,
      by: party
    )
    let new = NewCase(
      id: id, change: change, unitID: unitID, unitPath: unitPath, jurisdiction: jurisdiction, at: now,
      idNumber: intake.idNumber, phone: intake.phone
    )
    try await cases.insert(new, calendar: calendar)
    return (CaseRecord(inserted: new, unitCode: unitCode, itemName: item.definition.name), item, calendar)
  }
}

extension Character {
  var isASCIIDigit: Bool { self.isASCII && self.isNumber }
}
