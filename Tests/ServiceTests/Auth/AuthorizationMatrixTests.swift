import CivicProtos
import CivicServices
import CivicStore
import GRPCCore
import Testing

/// Who may call what, written out independently of `MethodPolicies` so that a change to a
/// policy has to be made twice, on purpose.
private enum Expected {
  case open
  case anyAccount
  case roles(Set<Role>)
  /// In the registry but served by no handler: UNIMPLEMENTED from the router, for anyone.
  case unserved

  func outcome(for role: Role) -> AuthOutcome {
    switch self {
    case .open, .anyAccount: .admitted
    case .roles(let roles): roles.contains(role) ? .admitted : .denied
    case .unserved: .notHandled(.unimplemented)
    }
  }

  /// With a missing or bad token.
  var outcomeWithoutAccount: AuthOutcome {
    switch self {
    case .open: .admitted
    case .anyAccount, .roles: .unauthenticated
    case .unserved: .notHandled(.unimplemented)
    }
  }
}

private let expectations: [String: Expected] = [
  "grpc.health.v1.Health/Check": .open,
  "grpc.health.v1.Health/List": .open,
  "grpc.health.v1.Health/Watch": .open,
  "civicgrid.v1.Diagnostics/EmptyCall": .open,
  "civicgrid.v1.Diagnostics/UnaryCall": .open,
  "civicgrid.v1.Diagnostics/StreamingOutputCall": .open,
  "civicgrid.v1.Diagnostics/StreamingInputCall": .open,
  "civicgrid.v1.Diagnostics/FullDuplexCall": .open,
  "civicgrid.v1.Diagnostics/UnimplementedCall": .open,
  "grpc.reflection.v1.ServerReflection/ServerReflectionInfo": .open,
  "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": .open,
  "civicgrid.v1.Unimplemented/UnimplementedCall": .unserved,
  "civicgrid.v1.Directory/CreateUnit": .roles([.admin]),
  "civicgrid.v1.Directory/GetUnit": .anyAccount,
  "civicgrid.v1.Directory/ListUnits": .anyAccount,
  "civicgrid.v1.Directory/UpdateUnit": .roles([.admin]),
  "civicgrid.v1.Directory/CreateAccount": .roles([.admin]),
  "civicgrid.v1.Directory/GetAccount": .roles([.admin, .supervisor, .auditor]),
  "civicgrid.v1.Directory/ListAccounts": .roles([.admin, .supervisor, .auditor]),
  "civicgrid.v1.Directory/IssueToken": .anyAccount,
  "civicgrid.v1.Directory/RevokeToken": .anyAccount,
  "civicgrid.v1.Directory/ListTokens": .anyAccount,
  "civicgrid.v1.Directory/WhoAmI": .anyAccount,
  "civicgrid.v1.Audit/ListAudit": .roles([.admin, .auditor]),
  "civicgrid.v1.Audit/VerifyAudit": .roles([.admin, .auditor]),
  // The working-day calendar: anyone reads and computes; only admins change it.
  "civicgrid.v1.Calendar/GetCalendar": .anyAccount,
  "civicgrid.v1.Calendar/ComputeDeadline": .anyAccount,
  "civicgrid.v1.Calendar/UpdateCalendar": .roles([.admin]),
  "civicgrid.v1.Calendar/SetDay": .roles([.admin]),
  // The catalogue: anyone reads; admins edit and move versions through their lifecycle.
  "civicgrid.v1.Catalog/GetItem": .anyAccount,
  "civicgrid.v1.Catalog/ListItems": .anyAccount,
  "civicgrid.v1.Catalog/SaveDraft": .roles([.admin]),
  "civicgrid.v1.Catalog/PublishVersion": .roles([.admin]),
  "civicgrid.v1.Catalog/SuspendVersion": .roles([.admin]),
  "civicgrid.v1.Catalog/RetireVersion": .roles([.admin]),
  // Intake at the window (clerks) or through partner channels; joint processing by
  // handlers; extensions decided by supervisors; reads scoped to the caller's subtree.
  "civicgrid.v1.Cases/SubmitApplication": .roles([.clerk, .partner]),
  "civicgrid.v1.Cases/SupplyMaterials": .roles([.clerk, .partner]),
  "civicgrid.v1.Cases/AcceptCase": .roles([.clerk]),
  "civicgrid.v1.Cases/RefuseCase": .roles([.clerk]),
  "civicgrid.v1.Cases/RequestSupplement": .roles([.clerk]),
  "civicgrid.v1.Cases/DeliverResult": .roles([.clerk]),
  "civicgrid.v1.Cases/ClaimTask": .roles([.handler]),
  "civicgrid.v1.Cases/ApproveTask": .roles([.handler]),
  "civicgrid.v1.Cases/DenyTask": .roles([.handler]),
  "civicgrid.v1.Cases/ReturnTask": .roles([.handler]),
  "civicgrid.v1.Cases/TransferTask": .roles([.handler]),
  "civicgrid.v1.Cases/RequestExtension": .roles([.handler]),
  "civicgrid.v1.Cases/DecideExtension": .roles([.supervisor]),
  "civicgrid.v1.Cases/GetCase": .anyAccount,
  "civicgrid.v1.Cases/ListCases": .anyAccount,
  "civicgrid.v1.Cases/ListTasks": .anyAccount,
  "civicgrid.v1.Cases/WatchEvents": .roles([.partner, .auditor, .admin, .supervisor]),
  "civicgrid.v1.Evaluation/RateCase": .roles([.clerk, .partner]),
  "civicgrid.v1.Evaluation/ListRectifications": .anyAccount,
  "civicgrid.v1.Evaluation/ReportRectification": .roles([.clerk, .handler]),
  "civicgrid.v1.Evaluation/RecordReturnVisit": .roles([.clerk, .supervisor]),
  "civicgrid.v1.Evaluation/FileAppeal": .roles([.clerk, .handler]),
  "civicgrid.v1.Evaluation/DecideAppeal": .roles([.supervisor]),
  "civicgrid.v1.Evaluation/GetMetrics": .anyAccount,
  "civicgrid.v1.Evaluation/ClosePeriod": .roles([.supervisor, .admin]),
  "civicgrid.v1.Evaluation/GetAssessment": .roles([.supervisor, .admin, .auditor]),
  "civicgrid.v1.Evaluation/GetReport": .anyAccount,
  "civicgrid.v1.Evaluation/GetTargets": .anyAccount,
  "civicgrid.v1.Evaluation/SetTargets": .roles([.admin]),
  "civicgrid.v1.Evaluation/GetScheme": .roles([.supervisor, .admin, .auditor]),
  "civicgrid.v1.Evaluation/SetScheme": .roles([.admin]),
  "civicgrid.v1.Appointments/SetCentreSchedule": .roles([.admin, .supervisor]),
  "civicgrid.v1.Appointments/GetCentreSchedule": .anyAccount,
  "civicgrid.v1.Appointments/SetOffer": .roles([.admin, .supervisor]),
  "civicgrid.v1.Appointments/ListSlots": .anyAccount,
  "civicgrid.v1.Appointments/BookAppointment": .roles([.admin, .clerk, .partner]),
  "civicgrid.v1.Appointments/CancelAppointment": .roles([.admin, .clerk, .partner]),
  "civicgrid.v1.Appointments/CheckIn": .roles([.admin, .clerk]),
  "civicgrid.v1.Appointments/GetAppointment": .roles([.admin, .clerk, .partner, .supervisor, .auditor]),
  "civicgrid.v1.Appointments/RequestHomeVisit": .roles([.admin, .clerk, .partner, .gridWorker]),
  "civicgrid.v1.Appointments/AssignHomeVisit": .roles([.admin, .supervisor, .clerk]),
  "civicgrid.v1.Appointments/FinishHomeVisit": .roles([.gridWorker, .clerk, .handler]),
  "civicgrid.v1.Appointments/CancelHomeVisit": .roles([.gridWorker, .clerk, .handler, .supervisor, .admin]),
  "civicgrid.v1.Supervision/WatchAlerts": .roles([.supervisor, .handler, .clerk, .admin, .auditor]),
  "civicgrid.v1.Supervision/ListAlerts": .roles([.supervisor, .handler, .clerk, .admin, .auditor]),
  "civicgrid.v1.Supervision/IssueOrder": .roles([.supervisor]),
  "civicgrid.v1.Supervision/AcknowledgeOrder": .roles([.handler, .supervisor]),
  "civicgrid.v1.Supervision/ReplyOrder": .roles([.handler, .supervisor]),
  "civicgrid.v1.Supervision/VerifyOrder": .roles([.supervisor]),
  "civicgrid.v1.Supervision/EscalateOrder": .roles([.supervisor]),
  "civicgrid.v1.Supervision/GetOrder": .anyAccount,
  "civicgrid.v1.Supervision/ListOrders": .anyAccount,
  "civicgrid.v1.Supervision/PublishNotice": .roles([.supervisor]),
  "civicgrid.v1.Supervision/ListNotices": .anyAccount,
  "civicgrid.v1.Supervision/RecordInspection": .roles([.supervisor]),
  "civicgrid.v1.Supervision/ListInspections": .anyAccount,
  "civicgrid.v1.Disputes/SubmitDispute": .roles([.clerk, .gridWorker, .mediator, .partner]),
  "civicgrid.v1.Disputes/GetDispute": .roles([.mediator, .gridWorker, .clerk, .handler, .supervisor, .auditor]),
  "civicgrid.v1.Disputes/ListDisputes": .roles([.mediator, .gridWorker, .clerk, .handler, .supervisor, .auditor]),
  "civicgrid.v1.Disputes/RecordReview": .roles([.mediator, .supervisor]),
  "civicgrid.v1.Disputes/ScheduleSession": .roles([.mediator, .handler]),
  "civicgrid.v1.Disputes/RecordSession": .roles([.mediator, .handler]),
  "civicgrid.v1.Disputes/RecordOutcome": .roles([.mediator, .handler]),
  "civicgrid.v1.Disputes/RecordFulfilment": .roles([.mediator, .gridWorker]),
  "civicgrid.v1.Disputes/CloseDispute": .roles([.mediator, .supervisor]),
  "civicgrid.v1.Disputes/GetAgenda": .roles([.mediator, .supervisor, .clerk, .auditor]),
  "civicgrid.v1.Disputes/ListDuty": .roles([.mediator, .gridWorker, .clerk, .supervisor, .auditor]),
  "civicgrid.v1.Disputes/SetDuty": .roles([.supervisor]),
  "civicgrid.v1.Disputes/GetDisputeReport": .roles([.mediator, .supervisor, .clerk, .admin, .auditor]),
  "civicgrid.v1.Disputes/GetLadder": .roles([.mediator, .supervisor, .clerk, .admin, .auditor]),
  "civicgrid.v1.Disputes/SetLadder": .roles([.admin]),
  // Citizens' requests: taken in by grid workers, clerks (hotline, window) and partners; tiers
  // answered by their unit's staff; the citizen's answer and the return visit recorded by the
  // first receiver's side; the routing table changed by admins only.
  "civicgrid.v1.Requests/SubmitRequest": .roles([.gridWorker, .clerk, .partner]),
  "civicgrid.v1.Requests/PreviewRoute": .roles([.gridWorker, .clerk, .handler, .supervisor, .admin, .partner]),
  "civicgrid.v1.Requests/EscalateRequest": .roles([.gridWorker, .clerk, .handler, .supervisor]),
  "civicgrid.v1.Requests/ReplyToRequest": .roles([.gridWorker, .clerk, .handler]),
  "civicgrid.v1.Requests/ConfirmReply": .roles([.gridWorker, .clerk]),
  "civicgrid.v1.Requests/RecordRequestVisit": .roles([.gridWorker, .clerk]),
  "civicgrid.v1.Requests/GetRequest": .roles([.gridWorker, .clerk, .handler, .supervisor, .admin, .auditor]),
  "civicgrid.v1.Requests/ListRequests": .roles([.gridWorker, .clerk, .handler, .supervisor, .admin, .auditor]),
  "civicgrid.v1.Requests/GetRoutingTable": .anyAccount,
  "civicgrid.v1.Requests/UpdateRoutingTable": .roles([.admin]),
  // Field events: grid workers and partner phones report; the grid routes and closes; the
  // handling unit (or the grid worker on the spot) handles; the street checks; urgent alerts
  // are acknowledged by the handling unit and supervisors (docs/GRID.md).
  "civicgrid.v1.FieldEvents/ReportEvent": .roles([.gridWorker, .partner]),
  "civicgrid.v1.FieldEvents/UploadEvents": .roles([.gridWorker, .partner]),
  "civicgrid.v1.FieldEvents/RouteEvent": .roles([.gridWorker, .supervisor]),
  "civicgrid.v1.FieldEvents/HandleEvent": .roles([.gridWorker, .handler]),
  "civicgrid.v1.FieldEvents/CheckEvent": .roles([.handler, .supervisor]),
  "civicgrid.v1.FieldEvents/CloseEvent": .roles([.gridWorker, .supervisor]),
  "civicgrid.v1.FieldEvents/GetEvent": .roles([.gridWorker, .handler, .supervisor, .admin, .auditor]),
  "civicgrid.v1.FieldEvents/ListEvents": .roles([.gridWorker, .handler, .supervisor, .admin, .auditor]),
  "civicgrid.v1.FieldEvents/GetEventRouting": .anyAccount,
  "civicgrid.v1.FieldEvents/UpdateEventRouting": .roles([.admin]),
  "civicgrid.v1.FieldEvents/AcknowledgeUrgentEvent": .roles([.handler, .supervisor]),
  // Grids: profiles by admins and supervisors, the card for any account (partner apps),
  // training recorded by supervisors, the analysis read in scope.
  "civicgrid.v1.Grids/SetGridProfile": .roles([.admin, .supervisor]),
  "civicgrid.v1.Grids/GetGridProfile": .roles([.gridWorker, .handler, .supervisor, .admin, .auditor]),
  "civicgrid.v1.Grids/GetGridCard": .anyAccount,
  "civicgrid.v1.Grids/RecordTraining": .roles([.admin, .supervisor]),
  "civicgrid.v1.Grids/ListTraining": .roles([.gridWorker, .handler, .supervisor, .admin, .auditor]),
  "civicgrid.v1.Grids/GetGridStats": .roles([.gridWorker, .handler, .supervisor, .admin, .auditor]),
  // People collected once: registered at the window and on grid visits, imported by
  // departments (handlers) and admins, corrected by clerks; partners read one person, masked.
  "civicgrid.v1.People/RegisterPerson": .roles([.clerk, .gridWorker]),
  "civicgrid.v1.People/GetPerson": .roles([.clerk, .handler, .gridWorker, .supervisor, .admin, .auditor, .partner]),
  "civicgrid.v1.People/FindPeople": .roles([.clerk, .handler, .gridWorker, .supervisor, .admin, .auditor]),
  "civicgrid.v1.People/CorrectPerson": .roles([.clerk]),
  "civicgrid.v1.People/ListCorrections": .roles([.clerk, .supervisor, .auditor]),
  "civicgrid.v1.People/DecideCorrection": .roles([.clerk]),
  "civicgrid.v1.People/AddTag": .roles([.clerk, .handler, .gridWorker]),
  "civicgrid.v1.People/EndTag": .roles([.clerk, .handler, .gridWorker]),
  "civicgrid.v1.People/GetHousehold": .roles([.clerk, .handler, .gridWorker, .supervisor, .admin, .auditor]),
  "civicgrid.v1.People/ImportPeople": .roles([.handler, .admin]),
  // The community access list: anyone reads; admins propose, supervisors review (not their own).
  "civicgrid.v1.AccessLists/GetAccessList": .anyAccount,
  "civicgrid.v1.AccessLists/ProposeAccessList": .roles([.admin]),
  "civicgrid.v1.AccessLists/ReviewAccessList": .roles([.supervisor]),
  "civicgrid.v1.AccessLists/GetRefusalReport": .roles([.supervisor, .admin, .auditor]),
  "civicgrid.v1.AccessLists/SetDelegatedItems": .roles([.admin]),
  "civicgrid.v1.AccessLists/ListDelegatedItems": .anyAccount,
  "civicgrid.v1.Contracts/CreateContract": .roles([.admin]),
  "civicgrid.v1.Contracts/GetContract": .roles([.handler, .supervisor, .admin, .auditor]),
  "civicgrid.v1.Contracts/ListContracts": .roles([.handler, .supervisor, .admin, .auditor]),
  "civicgrid.v1.Contracts/EndContract": .roles([.admin]),
  "civicgrid.v1.Contracts/AmendContract": .roles([.admin]),
]

@Suite("Authorization matrix", .timeLimit(.minutes(5)))
struct AuthorizationMatrixTests {
  @Test("every rpc in the generated registry has an access policy, and no policy names an unknown rpc")
  func everyMethodHasAPolicy() {
    let registered = Set(MethodRegistry.entries.keys)
    let missing = registered.subtracting(MethodPolicies.all.keys).sorted()
    #expect(missing.isEmpty, "methods without a policy: \(missing)")
    let stale = Set(MethodPolicies.all.keys).subtracting(registered).sorted()
    #expect(stale.isEmpty, "policies for methods that do not exist: \(stale)")
  }

  @Test("the expectations below cover every rpc in the registry")
  func expectationsCoverTheRegistry() {
    let missing = Set(MethodRegistry.entries.keys).subtracting(expectations.keys).sorted()
    #expect(missing.isEmpty, "add these methods to the matrix's expectations: \(missing)")
  }

  @Test("missing, malformed, unknown, revoked and expired tokens: UNAUTHENTICATED on every non-public method")
  func badTokens() async throws {
    try await ServiceHarness.withServer { harness in
      let revoked = try await harness.token(for: "clerk")
      try await harness.store.query(
        "UPDATE tokens SET revoked_at = now() WHERE token_sha256 = $1",
        [SQLBytes(BearerToken.digest(of: revoked))]
      )
      let expired = try await harness.token(for: "clerk")
      try await harness.store.query(
        "UPDATE tokens SET expires_at = now() - interval '1 second' WHERE token_sha256 = $1",
        [SQLBytes(BearerToken.digest(of: expired))]
      )
      let badTokens: [(String, String?)] = [
        ("missing", nil), ("malformed", "not-a-token"), ("unknown", BearerToken.generate()),
        ("revoked", revoked), ("expired", expired),
      ]
      for (name, entry) in MethodRegistry.entries.sorted(by: { $0.key < $1.key }) {
        let expected = try #require(expectations[name], "\(name) is missing from the expectations")
        for (kind, token) in badTokens {
          let outcome = await probe(entry, token: token, client: harness.client, handlerCalls: harness.handlerCalls)
          #expect(outcome == expected.outcomeWithoutAccount, "\(name) with a \(kind) token")
        }
      }
    }
  }

  @Test("every method × every role answers as the allow-list says")
  func rolesMatrix() async throws {
    try await ServiceHarness.withServer { harness in
      for role in Role.allCases {
        // An account holding this role alone (the demo's `admin` holds every writing role).
        let token = try await harness.account("matrix-\(role.rawValue)", unit: "QH", roles: [role])
        for (name, entry) in MethodRegistry.entries.sorted(by: { $0.key < $1.key }) {
          guard let expected = expectations[name] else { continue }
          let outcome = await probe(entry, token: token, client: harness.client, handlerCalls: harness.handlerCalls)
          #expect(outcome == expected.outcome(for: role), "\(name) as \(role.rawValue)")
        }
      }
    }
  }
}
