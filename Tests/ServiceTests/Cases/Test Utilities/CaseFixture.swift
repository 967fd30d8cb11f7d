import CivicDomain
import CivicProtos
import CivicServices
import CivicStore
import CivicTestSupport
import Foundation
import GRPCCore
import Logging
import Testing

/// A scratch database with the migrations applied, a small unit tree, principals per role and
/// the Calendar, Catalog and Cases services called in-process under a `RequestContext`, as the
/// auth interceptor binds it (the interceptor itself is covered by the authorization matrix).
struct CaseFixture: Sendable {
  let pool: StorePool
  let catalog: CatalogService
  let calendar: CalendarService
  let cases: CasesService

  static let logger = Logger(label: "servicetests.cases")

  static let district = Principal(accountID: 1, login: "admin", unitID: 0, unitCode: "D01", unitPath: "/D01/", roles: [.admin])
  var admin: Principal { self.principal("admin", "D01", [.admin]) }
  var clerk: Principal { self.principal("clerk1", "CTR", [.clerk]) }
  var partner: Principal { self.principal("portal", "D01", [.partner]) }
  var supervisor: Principal { self.principal("sup", "D01", [.supervisor]) }
  func handler(_ unit: String, _ n: Int = 1) -> Principal { self.principal("h\(n)-\(unit)", unit, [.handler]) }

  let units: [String: (id: Int64, path: String)]

  func principal(_ login: String, _ unit: String, _ roles: Set<Role>) -> Principal {
    let (id, path) = self.units[unit]!
    return Principal(accountID: Int64(abs(login.hashValue % 1_000_000)), login: login, unitID: id, unitCode: unit, unitPath: path, roles: roles)
  }

  /// Runs `body` against a fresh database, dropped afterwards; with `sequencer` false no
  /// sequencer runs (the test starts and stops its own).
  static func with(sequencer: Bool = true, _ body: (CaseFixture) async throws -> Void) async throws {
    guard TestDatabaseURLs.application != nil else {
      Issue.record("CIVICGRID_DATABASE_URL is not set (run through ops/test)")
      return
    }
    // Copied from the migrated template by the owner role, used as the application role (civicgridd's split).
    try await ScratchDatabase.with(prefix: "civictest_cases", poolSize: 24, migrated: true, sequencer: sequencer, logger: logger) { pool, _ in
      var units: [String: (Int64, String)] = [:]
      for (code, kind, parent) in [
        ("D01", "district", ""), ("CTR", "centre", "D01"), ("CIVIL", "department", "D01"),
        ("HR", "department", "D01"), ("FIN", "department", "D01"), ("S01", "street", "D01"), ("CTR2", "centre", "S01"),
      ] {
        let path = parent.isEmpty ? "/\(code)/" : units[parent]!.1 + "\(code)/"
        let id = try await pool.query(
          "INSERT INTO units (code, name, kind, parent_id, path) VALUES ($1, $1, $2, (SELECT id FROM units WHERE code = $3), $4) RETURNING id",
          [code, kind, parent, path]
        ).scalar(Int64.self)!
        units[code] = (id, path)
      }
      let fixture = CaseFixture(
        pool: pool, catalog: CatalogService(store: pool), calendar: CalendarService(store: pool), cases: CasesService(store: pool),
        units: units.mapValues { (id: $0.0, path: $0.1) }
      )
      try await body(fixture)
    }
  }

  /// Calls a handler as `principal`, as the auth interceptor would, and masks the answer as
  /// the server's masking step would.
  func call<R: Sendable>(
    _ principal: Principal, _ method: String = "test", _ body: (ServerContext) async throws -> R
  ) async throws -> R {
    try await RequestContext.$current.withValue(RequestContext(method: method, requestID: UUID().uuidString, principal: principal)) {
      try await withServerContextRPCCancellationHandle { handle in
        let context = ServerContext(
          descriptor: MethodDescriptor(fullyQualifiedService: "civicgrid.v1.Cases", method: method),
          remotePeer: "in-process", localPeer: "in-process", cancellation: handle
        )
        return try MaskPlan.bundled.response(try await body(context), for: principal)
      }
    }
  }

  /// Publishes a promised item: stage 1 CIVIL + HR (2 working days), stage 2 FIN (3), two
  /// materials (the second may be missing at acceptance), every channel.
  func publishItem(_ code: String = "elderly-allowance", channels: [Civicgrid_V1_IntakeChannel] = [.window, .online, .mobile]) async throws {
    var definition = Civicgrid_V1_ItemDefinition()
    definition.code = code
    definition.name = "Elderly allowance"
    definition.category = "social-assistance"
    definition.kind = .promised
    definition.leadUnitCode = "CIVIL"
    var s1 = Civicgrid_V1_ItemStage()
    s1.unitCodes = ["CIVIL", "HR"]
    s1.workingDays = 2
    var s2 = Civicgrid_V1_ItemStage()
    s2.unitCodes = ["FIN"]
    s2.workingDays = 3
    definition.stages = [s1, s2]
    definition.promisedWorkingDays = 5
    var m1 = Civicgrid_V1_RequiredMaterial()
    m1.code = "id-card"
    m1.name = "ID card"
    var m2 = Civicgrid_V1_RequiredMaterial()
    m2.code = "hukou"
    m2.name = "Household register"
    m2.mayBeMissingAtAcceptance = true
    definition.materials = [m1, m2]
    definition.channels = channels
    try await self.saveAndPublish(definition)
  }

  /// Saves `definition` as version 1 of a new item and publishes it, as the admin.
  func saveAndPublish(_ definition: Civicgrid_V1_ItemDefinition) async throws {
    var draft = Civicgrid_V1_SaveDraftRequest()
    draft.definition = definition
    _ = try await self.call(self.admin) { try await self.catalog.saveDraft(request: draft, context: $0) }
    var publish = Civicgrid_V1_ItemVersionRequest()
    publish.code = definition.code
    publish.version = 1
    publish.expectedItemVersion = 1
    _ = try await self.call(self.admin) { try await self.catalog.publishVersion(request: publish, context: $0) }
  }

  /// Publishes a promised item of one stage (3 working days) shared by `units`, the first the lead.
  func publishOneStageItem(_ code: String, name: String, units: [String]) async throws {
    try await self.saveAndPublish(Self.oneStageItem(code, name: name, units: units))
  }

  /// A promised item of one stage (3 working days) shared by `units`, the first the lead.
  static func oneStageItem(_ code: String, name: String, units: [String]) -> Civicgrid_V1_ItemDefinition {
    var definition = Civicgrid_V1_ItemDefinition()
    definition.code = code
    definition.name = name
    definition.category = "social-assistance"
    definition.kind = .promised
    definition.leadUnitCode = units[0]
    var stage = Civicgrid_V1_ItemStage()
    stage.unitCodes = units
    stage.workingDays = 3
    definition.stages = [stage]
    definition.promisedWorkingDays = 3
    definition.channels = [.window]
    return definition
  }

  func application(_ item: String = "elderly-allowance", channel: Civicgrid_V1_IntakeChannel = .window, key: String = "") -> Civicgrid_V1_SubmitApplicationRequest {
    var request = Civicgrid_V1_SubmitApplicationRequest()
    request.itemCode = item
    request.channel = channel
    request.applicant.name = "Wang Fang"
    request.applicant.idNumber = "110101195001011234"
    request.applicant.phone = "13800138000"
    request.providedMaterials = ["id-card", "hukou"]
    request.unitCode = "CTR"
    request.idempotencyKey = key
    return request
  }

  func submitAndAccept() async throws -> Civicgrid_V1_Case {
    let submitted = try await self.call(self.clerk) { try await self.cases.submitApplication(request: self.application(), context: $0) }
    var accept = Civicgrid_V1_AcceptCaseRequest()
    accept.caseID = submitted.id
    accept.expectedVersion = submitted.version
    return try await self.call(self.clerk) { try await self.cases.acceptCase(request: accept, context: $0) }
  }
}

/// The RPC code of what `body` throws, or nil when it succeeds.
func rpcCode(_ body: () async throws -> Void) async -> (RPCError.Code, String)? {
  do {
    try await body()
    return nil
  } catch let error as RPCError {
    return (error.code, error.message)
  } catch let error as any RPCErrorConvertible {
    return (error.rpcErrorCode, error.rpcErrorMessage)
  } catch {
    return (.unknown, "\(error)")
  }
}
