import CivicDomain
public import CivicProtos
import CivicRepositories
import CivicStore
import Foundation
public import GRPCCore

/// How a home visit ends (docs/GRID.md): done by its assignee with notes — opening, on the
/// spot, an application (through SubmitApplication) or a field event (through ReportEvent),
/// each under a key made from the visit so a retry opens nothing twice — or cancelled.
extension AppointmentsService {
  public func finishHomeVisit(request: Civicgrid_V1_FinishHomeVisitRequest, context: ServerContext) async throws -> Civicgrid_V1_HomeVisit {
    let caller = try RequestContext.principal()
    let notes = try Require.text("notes", request.notes, max: 4000)
    let visit = try await self.store.withConnection { try await Self.scopedVisit(request.id, scope: caller.scope, lock: false, on: $0) }
    guard visit.assignee == caller.login else {
      throw DomainError.notFound("id: home visit \(visit.id) assigned to you")
    }
    // Refused before anything is opened when the visit cannot finish.
    _ = try (HomeVisitState(rawValue: visit.state) ?? .requested).finish()
    var opened: String?
    switch request.opens {
    case .application(let open):
      var submission = Civicgrid_V1_SubmitApplicationRequest()
      submission.itemCode = open.itemCode.isEmpty ? visit.itemCode : open.itemCode
      guard !submission.itemCode.isEmpty else { throw Require.invalid("application.item_code", "is required: the visit names no item") }
      submission.channel = .doorToDoor
      submission.applicant.name = visit.applicantName
      submission.applicant.idNumber = visit.applicantIDNumber
      submission.applicant.phone = visit.applicantPhone
      submission.providedMaterials = open.providedMaterials
      submission.idempotencyKey = "visit/\(visit.id)/application"
      opened = try await CasesService(store: self.store).submitApplication(request: submission, context: context).id
    case .event(let open):
      var report = Civicgrid_V1_ReportEventRequest()
      report.category = open.category
      report.urgent = open.urgent
      report.gridCode = visit.unitCode
      report.location = visit.address
      report.description_p = open.description_p
      report.resident.name = visit.applicantName
      report.resident.idNumber = visit.applicantIDNumber
      report.resident.phone = visit.applicantPhone
      report.idempotencyKey = "visit/\(visit.id)/event"
      opened = try await FieldEventsService(store: self.store, now: self.now).report(report, by: caller).id
    case nil: break
    }
    let openedCase = opened
    return try await self.endVisit(visit.id, request.expectedVersion, by: caller) { state in
      try state.finish()
    } record: { visits, id in
      try await visits.finish(
        id: id,
        state: .done,
        notes: notes,
        cancelReason: "",
        openedCase: openedCase.map { try CaseNumber.parse($0, field: "opened") }
      )
      return "done" + (openedCase.map { ", opened \($0)" } ?? "")
    }
  }

  public func cancelHomeVisit(request: Civicgrid_V1_CancelHomeVisitRequest, context: ServerContext) async throws -> Civicgrid_V1_HomeVisit {
    let caller = try RequestContext.principal()
    let reason = try Require.text("reason", request.reason, max: 2000)
    return try await self.endVisit(request.id, request.expectedVersion, by: caller, staffMayCancel: true) { state in
      try state.cancel()
    } record: {
      visits,
      id in
      try await visits.finish(id: id, state: .cancelled, notes: "", cancelReason: reason, openedCase: nil)
      return "cancelled: \(reason)"
    }
  }

  /// Locks the visit, checks version, caller and state, writes the outcome and its audit row.
  private func endVisit(
    _ id: Int64,
    _ expectedVersion: Int64,
    by caller: Principal,
    staffMayCancel: Bool = false,
    _ transition: @escaping @Sendable (HomeVisitState) throws -> HomeVisitState,
    record: @escaping @Sendable (HomeVisitRepository, Int64) async throws -> String
  ) async throws -> Civicgrid_V1_HomeVisit {
    try await self.store.transaction { connection in
      let current = try await Self.scopedVisit(id, scope: caller.scope, lock: true, on: connection)
      let staff = staffMayCancel && (caller.has(.clerk) || caller.has(.supervisor) || caller.has(.admin))
      guard current.assignee == caller.login || staff else { throw DomainError.notFound("id: home visit \(id) assigned to you") }
      guard expectedVersion == 0 || expectedVersion == current.version else {
        throw DomainError.staleVersion(
          subject: "expected_version: home visit \(id)",
          expected: Int(expectedVersion),
          current: Int(current.version)
        )
      }
      _ = try transition(HomeVisitState(rawValue: current.state) ?? .requested)
      let summary = try await record(HomeVisitRepository(connection), id)
      try await AuditLog.append(on: connection, object: "visit:\(id)", summary: summary)
      return Self.message(try await Self.scopedVisit(id, scope: .everything, lock: false, on: connection))
    }
  }
}
